// An untrusted patch's operations stay untrusted through copies. Before,
// `new Patch(name, untrusted.operations.map((op) => ({ ...op })))` or
// `new Patch(name, untrusted.toJSON().operations)` made an in-process patch:
// hydrate() and updateSync then ran the code of a patch read from JSON that
// nobody vouched for (trust was tracked by the identity of the operation
// objects, and the copies were new objects). Now every object in an untrusted
// operation is marked (a shallow copy still holds them), its JSON form is
// marked, and operation data that carries code as text and that no builder
// or trusted patch made is not vouched for either (a deep copy).
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, Patch, patch, UntrustedPatchError, updateSync } from "../../src/index.js";
import type { Operation } from "../../src/patch/operations.js";
import { PATCH_FORMAT } from "../../src/patch/json.js";

type Flagged = typeof globalThis & { [key: string]: unknown };
const g = globalThis as Flagged;
let counter = 0;
const freshFlag = () => `__metamorphCopyProbe${process.pid}_${counter++}`;

/** Every place a patch carries code, each setting `flag` on the global object when compiled or run. */
function hostile(flag: string): Record<string, unknown>[] {
  const set = `(globalThis[${JSON.stringify(flag)}] = true)`;
  const fn = (body: string) => ({ source: `function () { ${body}; return true; }` });
  return [
    {
      op: "addMethod",
      className: "Item",
      method: { key: "m", kind: "method", static: false, source: `m() { ${set}; }` },
    },
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
    { op: "addField", className: "Item", field: "tax", defaultSource: set },
    { op: "addField", className: "Item", field: "derived", initial: fn(set) },
    { op: "addStaticField", className: "Item", field: "seen", defaultSource: set },
    { op: "reinitialiseStaticField", className: "Item", field: "made", defaultSource: set },
    { op: "addClass", shape: { name: "Probe", staticFields: [{ name: "s", initializer: set }] } },
    {
      op: "insertSuperclass",
      className: "Item",
      shape: { name: "Above", fields: [{ name: "a", initializer: set }] },
    },
    {
      op: "migrator",
      className: "Item",
      migrator: { source: `(() => { ${set}; return () => {}; })()` },
    },
    { op: "validateNamespace", name: "v", check: fn(set) },
    { op: "validateInstances", name: "w", className: "Item", check: fn(set) },
    { op: "afterCommit", name: "h", hook: fn(set) },
    { op: "afterRollback", name: "r", hook: fn(set) },
    {
      op: "replaceImplementation",
      className: "Item",
      implementation: { source: `class Item { x = ${set}; }` },
    },
  ];
}

/** Ways a program may copy a patch's operations before handing them to new Patch. */
const COPIES: Record<string, (p: Patch) => readonly unknown[]> = {
  "the operations": (p) => p.operations,
  "a shallow copy of each ({ ...op })": (p) => p.operations.map((op) => ({ ...op })),
  "Object.assign({}, op)": (p) => p.operations.map((op) => Object.assign({}, op)),
  "toJSON().operations": (p) => p.toJSON().operations,
  "a spread of toJSON()'s operations": (p) => p.toJSON().operations.map((op) => ({ ...op })),
  structuredClone: (p) => structuredClone(p.toJSON().operations),
  "a JSON round trip": (p) => JSON.parse(JSON.stringify(p)).operations,
  "a rename of the class": (p) =>
    p.operations.map((op) => ("className" in op ? { ...op, className: "Item" } : op)),
};

function world() {
  const ns = new Namespace("copies");
  const Item = ns.defineClass<{ price: number }>({
    name: "Item",
    fields: [{ name: "price", initializer: "1" }],
    staticFields: [{ name: "made", initializer: "0" }],
  });
  const items = [new Item({ price: 2 }), new Item({ price: 3 })];
  const state = () => ({
    version: ns.version,
    snapshot: ns.snapshot,
    objects: items.map((o) => [Object.getPrototypeOf(o), { ...o }]),
  });
  return { ns, state };
}

function refused(run: () => unknown): UntrustedPatchError {
  try {
    run();
  } catch (error) {
    if (error instanceof UntrustedPatchError) return error;
    throw error;
  }
  throw new Error("not refused");
}

describe("an untrusted patch's code stays untrusted through copies of its operations", () => {
  test("property: any code-carrying operation x any copy x mixed with trusted operations: refused, nothing ran, nothing changed", () => {
    const mine = patch("mine").addField("Item", "note", { default: "" }).build();
    fc.assert(
      fc.property(
        fc.nat({ max: hostile("x").length - 1 }),
        fc.constantFrom(...Object.keys(COPIES)),
        fc.constantFrom("alone", "after", "before"),
        (which, copy, mix) => {
          const flag = freshFlag();
          const untrusted = Patch.fromJSON({
            format: PATCH_FORMAT,
            name: "evil",
            operations: [hostile(flag)[which]],
          });
          const copied = COPIES[copy]!(untrusted) as Operation[];
          const operations =
            mix === "alone"
              ? copied
              : mix === "after"
                ? [...mine.operations, ...copied]
                : [...copied, ...mine.operations];
          const laundered = new Patch("copy", operations);
          expect(laundered.trust).toEqual({ level: "untrusted" });
          const { ns, state } = world();
          const before = state();
          expect(refused(() => laundered.hydrate()).code).toBe("MM_UNTRUSTED_PATCH");
          expect(refused(() => updateSync(ns, laundered)).details).toMatchObject({
            action: "be applied",
          });
          expect(Object.hasOwn(g, flag)).toBe(false);
          expect(state()).toEqual(before);
        },
      ),
      { seed: 43, numRuns: 250 },
    );
  });

  test("the reviewers' repro: a shallow copy and toJSON() of a migrator patch are refused, naming the patch read from JSON", () => {
    const flag = freshFlag();
    const untrusted = Patch.fromJSON({
      format: PATCH_FORMAT,
      name: "evil",
      operations: [
        {
          op: "migrator",
          className: "Item",
          migrator: { source: `function (old, t) { globalThis[${JSON.stringify(flag)}] = 1; }` },
        },
      ],
    });
    for (const ops of [
      untrusted.operations.map((op) => ({ ...op })),
      untrusted.toJSON().operations,
    ]) {
      const p = new Patch("copy", ops as Operation[]);
      const error = refused(() => p.hydrate());
      expect(error.message).toMatch(
        /^patch "evil" was read from JSON and is not trusted, so it cannot be hydrated/,
      );
      expect(error.details).toMatchObject({ patch: "evil", from: "json" });
    }
    expect(Object.hasOwn(g, flag)).toBe(false);
  });

  test("a deep copy is data nobody vouched for: refused with a message saying how to vouch", () => {
    const untrusted = Patch.fromJSON({
      format: PATCH_FORMAT,
      name: "evil",
      operations: [hostile("y")[2]],
    });
    const p = new Patch("copy", JSON.parse(JSON.stringify(untrusted.toJSON().operations)));
    const error = refused(() => p.hydrate());
    expect(error.message).toMatch(
      /^patch "copy" was made with new Patch from operation data that carries code as text and that no builder or trusted patch made/,
    );
    expect(error.message).toMatch(/Patch\.fromJSON\(json, \{ trust: "in-process" \}\)/);
    expect(error.details).toMatchObject({ patch: "copy", from: "data", index: 0 });
  });
});

describe("what the program vouches for stays trusted", () => {
  test("the builder's patches, their operations, their JSON form, and live functions in new Patch", () => {
    const { ns } = world();
    const built = patch("mine")
      .addField("Item", "tax", { defaultSource: "2" })
      .addMethods("Item", {
        total(this: { price: number; tax: number }) {
          return this.price + this.tax;
        },
      })
      .build();
    const fn = () => true;
    const copies = [
      built,
      new Patch("ops", built.operations),
      new Patch("json", built.toJSON().operations as never),
      built.andThen(patch("more").removeField("Item", "price").build()),
      new Patch("live", [
        { op: "validateNamespace", name: "v", check: { source: String(fn), fn } },
      ]),
    ];
    for (const p of copies) expect(p.trust).toEqual({ level: "in-process" });
    expect(updateSync(ns, new Patch("json", built.toJSON().operations as never)).outcome).toBe(
      "committed",
    );
  });

  test("JSON vouched for by name: its operations, copies of them and its hydrated form", () => {
    const flag = freshFlag();
    const json = { format: PATCH_FORMAT, name: "vouched", operations: [hostile(flag)[2]] };
    const vouched = Patch.fromJSON(json, { trust: "in-process" });
    expect(new Patch("copy", vouched.operations).trust).toEqual({ level: "in-process" });
    const hydrated = new Patch("copy", vouched.operations).hydrate();
    const { ns } = world();
    expect(updateSync(ns, hydrated).outcome).toBe("committed");
    expect(g[flag]).toBe(true);
    delete g[flag];
  });

  test("a patch with no code as text, made from plain data, is the program's own", () => {
    const p = new Patch("plain", [
      { op: "renameField", className: "Item", field: "price", to: "cost" },
      { op: "policy", policy: "eager" },
    ]);
    expect(p.trust).toEqual({ level: "in-process" });
    const { ns } = world();
    expect(updateSync(ns, p).outcome).toBe("committed");
  });
});
