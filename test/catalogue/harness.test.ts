// The catalogue is only as good as its snapshot: each mutation below is one a
// faulty refusal could make, and the harness must report every one of them.
import { describe, expect, test } from "vitest";
import { InvalidPatchError, patch } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "./snapshot.js";
import { kase, runCase } from "./support.js";
import { type ShopWorld, shopWorld } from "./worlds.js";

const mutations: [string, (w: ShopWorld) => void][] = [
  ["a value", (w) => void (w.items[0]!.price = 2)],
  [
    "the same value in another object (identity)",
    (w) => {
      // The program's list now holds an equal copy instead of its own object.
      (w.objects as object[])[0] = new w.Item({ name: "pen", price: 1 });
    },
  ],
  [
    "key order",
    (w) => {
      const o = w.items[1] as unknown as Record<string, unknown>;
      const name = o.name;
      delete o.name;
      o.name = name;
    },
  ],
  ["a descriptor", (w) => void Object.defineProperty(w.items[0], "price", { enumerable: false })],
  ["a prototype", (w) => void Object.setPrototypeOf(w.items[0], w.Book.prototype)],
  ["extensibility", (w) => void Object.preventExtensions(w.items[0])],
  [
    "an extra own symbol",
    (w) => void ((w.items[0] as unknown as Record<symbol, number>)[Symbol("mark")] = 1),
  ],
  [
    "fast mode",
    (w) => {
      const o = w.items[1] as unknown as Record<string, unknown>;
      for (let i = 0; i < 200; i++) o[`k${i}`] = i;
      for (let i = 0; i < 200; i++) delete o[`k${i}`];
    },
  ],
  [
    "the hidden-class partition",
    (w) => {
      // Same keys, values and prototype, another hidden class: a detour through another prototype.
      const proto = Object.getPrototypeOf(w.items[0]);
      Object.setPrototypeOf(w.items[0], {});
      Object.setPrototypeOf(w.items[0], proto);
    },
  ],
  ["the namespace version", (w) => w.ns.define("extra", 1)],
  ["the namespace scopes", (w) => void w.ns.scopes.set(w.Item, {})],
  [
    "a class's methods",
    (w) => void ((w.Item.prototype as Record<string, unknown>).total = () => 0),
  ],
  ["a static of a class", (w) => void ((w.Item as unknown as Record<string, unknown>).VERSION = 2)],
  [
    "Object.prototype",
    () =>
      void Object.defineProperty(Object.prototype, "polluted", { value: 1, configurable: true }),
  ],
  [
    "a global",
    () => void Object.defineProperty(globalThis, "leaked", { value: 1, configurable: true }),
  ],
];

describe("the deep snapshot sees every kind of change", () => {
  for (const [what, mutate] of mutations) {
    test(`it sees a change of ${what}`, () => {
      const w = shopWorld();
      const before = deepSnapshot(w);
      expect(snapshotDifference(before, deepSnapshot(w))).toBeUndefined();
      try {
        mutate(w);
        const difference = snapshotDifference(before, deepSnapshot(w));
        expect(difference).toBeDefined();
        if (what === "the hidden-class partition") expect(difference).toMatch(/hidden classes/);
        if (what === "fast mode") expect(difference).toMatch(/dictionary-mode/);
      } finally {
        delete (Object.prototype as Record<string, unknown>).polluted;
        delete (globalThis as Record<string, unknown>).leaked;
      }
    });
  }
});

describe("the harness holds refusals to account", () => {
  test("a refusal that changed the world fails its case", async () => {
    const c = kase<ShopWorld>({
      name: "changes then refuses",
      setup: shopWorld,
      act: (w) => {
        w.items[0]!.price = 99;
        patch("");
      },
      refuse: { error: InvalidPatchError, code: "MM_INVALID_PATCH", names: [] },
    });
    await expect(runCase(c)).rejects.toThrow(/changed the world/);
  });
  test("an untyped error fails its case", async () => {
    const c = kase<ShopWorld>({
      name: "throws a TypeError",
      setup: shopWorld,
      act: () => {
        throw new TypeError("boom");
      },
      refuse: { error: InvalidPatchError, code: "MM_INVALID_PATCH", names: [] },
    });
    await expect(runCase(c)).rejects.toThrow();
  });
  test("a message that does not name the culprit fails its case", async () => {
    const c = kase<ShopWorld>({
      name: "names the wrong thing",
      setup: shopWorld,
      act: () => patch(""),
      refuse: { error: InvalidPatchError, code: "MM_INVALID_PATCH", names: ["Zebra"] },
    });
    await expect(runCase(c)).rejects.toThrow(/Zebra/);
  });
  test("an accepted misuse fails a refusal case", async () => {
    const c = kase<ShopWorld>({
      name: "accepts",
      setup: shopWorld,
      act: () => patch("fine"),
      refuse: { error: InvalidPatchError, code: "MM_INVALID_PATCH", names: [] },
    });
    await expect(runCase(c)).rejects.toThrow(/accepted/);
  });
});
