// Issue 14, item 1: a patch read from JSON is inert data. Hydrating or
// applying it without someone vouching for it is refused, before a single
// character of its code is compiled; the program's own patches, and JSON
// patches it vouches for by name, run as before.
import { describe, expect, test } from "vitest";
import { Namespace, Patch, patch, updateSync } from "../../src/index.js";
import { UntrustedPatchError } from "../../src/index.js";
import { PATCH_FORMAT } from "../../src/patch/json.js";

type Flagged = typeof globalThis & { [key: string]: unknown };
const g = globalThis as Flagged;

/** A fresh global name per case, so one case's side effect cannot hide another's. */
let counter = 0;
const freshFlag = () => `__metamorphTrustProbe${process.pid}_${counter++}`;

function world() {
  const ns = new Namespace("trust");
  const Item = ns.defineClass<{ price: number }>({
    name: "Item",
    fields: [{ name: "price", initializer: "1" }],
    staticFields: [{ name: "made", initializer: "0" }],
  });
  const items = [new Item({ price: 2 }), new Item({ price: 3 })];
  return { ns, Item, items };
}

const stateOf = (ns: Namespace, objects: readonly object[]) => ({
  version: ns.version,
  snapshot: ns.snapshot,
  scopes: ns.scopes.size,
  objects: objects.map((o) => [Object.getPrototypeOf(o), { ...o }]),
});

/** Every place a JSON patch carries code, each writing `flag` on the global object when compiled or run. */
function hostileOperations(flag: string): [string, unknown][] {
  const set = `(globalThis[${JSON.stringify(flag)}] = true)`;
  return [
    [
      "a method source",
      {
        op: "addMethod",
        className: "Item",
        method: {
          key: "total",
          kind: "method",
          static: false,
          source: `total() { ${set}; return 0; }`,
        },
      },
    ],
    [
      "a computed method key",
      {
        op: "addMethod",
        className: "Item",
        method: {
          key: { symbol: "Symbol.iterator" },
          kind: "method",
          static: false,
          source: `[${set}]() {}`,
        },
      },
    ],
    [
      "a default expression",
      { op: "addField", className: "Item", field: "tax", defaultSource: set },
    ],
    [
      "a static initialiser",
      { op: "addStaticField", className: "Item", field: "seen", defaultSource: set },
    ],
    [
      "a new class's static initialiser",
      {
        op: "addClass",
        shape: { name: "Probe", staticFields: [{ name: "s", initializer: set }] },
      },
    ],
    [
      "a migrator",
      {
        op: "migrator",
        className: "Item",
        migrator: { source: `(() => { ${set}; return () => {}; })()` },
      },
    ],
    [
      "a validation",
      { op: "validateNamespace", name: "v", check: { source: `${set} && (() => true)` } },
    ],
  ];
}

const asJson = (operations: unknown[]) => ({ format: PATCH_FORMAT, name: "hostile", operations });

describe("a patch read from JSON is untrusted until someone vouches for it", () => {
  test("fromJSON records it: untrusted by default, vouched for only by name", () => {
    const json = asJson([{ op: "removeField", className: "Item", field: "price" }]);
    expect(Patch.fromJSON(json).trust).toEqual({ level: "untrusted" });
    expect(Patch.fromJSON(json, { trust: "in-process" }).trust).toEqual({ level: "in-process" });
    expect(Patch.fromJSON(json, { trust: { verifiedBy: "ed25519:abc" } }).trust).toEqual({
      level: "verified",
      keyId: "ed25519:abc",
    });
    expect(patch("built").removeField("Item", "price").build().trust).toEqual({
      level: "in-process",
    });
    expect(() => Patch.fromJSON(json, { trust: "yes" as never })).toThrow(UntrustedPatchError);
  });

  test.each(hostileOperations("unused").map(([what]) => [what]))(
    "%s: hydrate and apply are refused, nothing ran, nothing changed",
    (what) => {
      const flag = freshFlag();
      const operation = hostileOperations(flag).find(([w]) => w === what)![1];
      const { ns, Item, items } = world();
      const before = stateOf(ns, items);
      const untrusted = Patch.fromJSON(asJson([operation]));

      const hydrating = (() => {
        try {
          untrusted.hydrate();
        } catch (error) {
          return error;
        }
      })() as UntrustedPatchError;
      expect(hydrating).toBeInstanceOf(UntrustedPatchError);
      expect(hydrating.code).toBe("MM_UNTRUSTED_PATCH");
      expect(hydrating.details).toMatchObject({
        patch: "hostile",
        action: "be hydrated",
        index: 0,
      });

      const applying = (() => {
        try {
          updateSync(ns, untrusted);
        } catch (error) {
          return error;
        }
      })() as UntrustedPatchError;
      expect(applying).toBeInstanceOf(UntrustedPatchError);
      expect(applying.details).toMatchObject({ patch: "hostile", action: "be applied", index: 0 });
      expect(applying.message).toMatch(
        /was read from JSON and is not trusted, so it cannot be applied/,
      );

      expect(Object.hasOwn(g, flag)).toBe(false);
      expect(stateOf(ns, items)).toEqual(before);
      expect((Item as unknown as { made: number }).made).toBe(0);
    },
  );

  test("composing or copying an untrusted patch keeps it untrusted", () => {
    const flag = freshFlag();
    const { ns, items } = world();
    const before = stateOf(ns, items);
    const untrusted = Patch.fromJSON(asJson([hostileOperations(flag)[2]![1]]));
    const mine = patch("mine").addField("Item", "note", { default: "" }).build();
    const laundered = [
      mine.andThen(untrusted),
      untrusted.andThen(mine),
      Patch.compose([mine, untrusted]),
      new Patch("copy", untrusted.operations),
      new Patch("mixed", [...mine.operations, ...untrusted.operations]),
    ];
    for (const p of laundered) {
      expect(p.trust).toEqual({ level: "untrusted" });
      expect(() => updateSync(ns, p)).toThrow(UntrustedPatchError);
    }
    expect(Object.hasOwn(g, flag)).toBe(false);
    expect(stateOf(ns, items)).toEqual(before);
  });

  test("the same JSON, vouched for by name, is compiled and applied", () => {
    const flag = freshFlag();
    const { ns, Item, items } = world();
    const json = asJson([
      hostileOperations(flag)[2]![1],
      { op: "addStaticField", className: "Item", field: "currency", defaultSource: '"EUR"' },
    ]);
    const result = updateSync(ns, Patch.fromJSON(json, { trust: "in-process" }));
    expect(result.outcome).toBe("committed");
    expect(g[flag]).toBe(true);
    expect(items.map((i) => ({ ...i }))).toEqual([
      { price: 2, tax: true },
      { price: 3, tax: true },
    ]);
    expect((Item as unknown as { currency: string }).currency).toBe("EUR");
    delete g[flag];
  });

  test("a JSON patch with no code at all is still refused until vouched for", () => {
    const { ns, items } = world();
    const before = stateOf(ns, items);
    const p = Patch.fromJSON(asJson([{ op: "removeField", className: "Item", field: "price" }]));
    expect(() => updateSync(ns, p)).toThrow(/it carries no code, but nobody vouched for it either/);
    expect(stateOf(ns, items)).toEqual(before);
  });
});
