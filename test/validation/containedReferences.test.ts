/**
 * The removed-class-reference rule reaches into what fields, statics and
 * bindings hold (src/validation/containedReferences.ts): Maps (keys and
 * values), Sets, arrays and plain objects, a few levels down and within a
 * budget. Before, it read fields and their arrays' elements only: a Map
 * keyed by the removed class, a static holding it, one of its objects in a
 * Set committed without a word (review advZ13).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type RemovedClass, validateRemovedClassReferences } from "../../src/validation/index.js";

class Neg {}
class Holder {
  children: unknown = null;
}
const removed = new Map<string, RemovedClass>([
  ["Neg", { prototypes: [Neg.prototype], handle: Neg }],
]);
const check = (
  instances: object[],
  bindings = new Map<string, unknown>(),
  statics?: Map<string, Map<string, unknown>>,
) =>
  validateRemovedClassReferences({ removed, bindings, instances, ...(statics ? { statics } : {}) });
const holding = (children: unknown) => Object.assign(new Holder(), { children });

describe("references inside what a field holds", () => {
  test("a Map's keys and values, a Set's elements, a plain object's properties: each named by its path", () => {
    const cases: [unknown, string, RegExp][] = [
      [new Map([[Neg, "neg"]]), "children.keys()[0]", /is the class itself/],
      [new Map([[1, new Neg()]]), "children.get(1)", /is an instance of Neg/],
      [new Map([["n", new Neg()]]), 'children.get("n")', /is an instance of Neg/],
      [new Set([new Neg()]), "children.values()[0]", /is an instance of Neg/],
      [{ left: new Neg() }, "children.left", /is an instance of Neg/],
      [Object.assign(Object.create(null), { "a b": Neg }), 'children["a b"]', /class itself/],
    ];
    for (const [value, path, how] of cases) {
      const h = holding(value);
      const failures = check([h]);
      expect(failures, path).toEqual([
        expect.objectContaining({
          rule: "removed-class-reference",
          className: "Holder",
          field: path,
          removedClass: "Neg",
          object: h,
        }),
      ]);
      expect(failures[0]!.message).toContain(`field "children" of a Holder`);
      expect(failures[0]!.message).toContain(`\`${path}\``);
      expect(failures[0]!.message).toMatch(how);
    }
  });

  test("below an array field's elements too, and nothing else: instances of classes are not entered", () => {
    const h = holding([new Map([["k", [Neg]]]), new Holder()]);
    (h.children as unknown[])[1] = holding(new Neg()); // a Holder's own fields are its own to check
    expect(check([h]).map((f) => f.field)).toEqual(['children[0].get("k")[0]']);
  });

  test("statics: the class itself, a Map keyed by it, one of its objects in a static Map", () => {
    const statics = new Map([
      [
        "Node",
        new Map<string, unknown>([
          ["defaultKind", Neg],
          [
            "byKind",
            new Map<unknown, unknown>([
              [Neg, "neg"],
              ["n", new Neg()],
            ]),
          ],
          ["count", 3],
        ]),
      ],
    ]);
    const failures = check([], new Map(), statics);
    expect(failures.map((f) => [f.className, f.field])).toEqual([
      ["Node", "defaultKind"],
      ["Node", "byKind.keys()[0]"],
      ["Node", 'byKind.get("n")'],
    ]);
    expect(failures[0]!.message).toBe(
      'static field "defaultKind" of class Node still refers to removed class Neg: its value is the class itself',
    );
    expect(failures[2]!.message).toContain('`byKind.get("n")` is an instance of Neg');
  });

  test("a binding's Map or plain object", () => {
    const failures = check([], new Map<string, unknown>([["registry", { kinds: [Neg] }]]));
    expect(failures).toEqual([
      expect.objectContaining({ binding: "registry", removedClass: "Neg" }),
    ]);
    expect(failures[0]!.message).toContain("`registry.kinds[0]` is the class itself");
  });

  test("a container whose reading throws (a proxy) is skipped, never thrown", () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("trap");
        },
      },
    );
    expect(check([holding({ a: hostile, b: new Neg() })]).map((f) => f.field)).toEqual([
      "children.b",
    ]);
  });
});

describe("the bounds", () => {
  test("four containers deep are read, a fifth is not", () => {
    const nest = (levels: number): unknown => (levels === 0 ? Neg : [nest(levels - 1)]);
    expect(check([holding(nest(4))]).map((f) => f.field)).toEqual(["children[0][0][0][0]"]);
    expect(check([holding(nest(5))])).toEqual([]);
  });

  test("a container many objects share is read once: one failure, not one per holder", () => {
    const shared = new Map<number, unknown>();
    for (let i = 0; i < 1000; i++) shared.set(i, i);
    shared.set(-1, new Neg());
    const holders = Array.from({ length: 500 }, () => holding(shared));
    const failures = check(holders);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.object).toBe(holders[0]);
  });

  test("past 50,000 entries the walk stops; a field's value and its array's elements are still read", () => {
    const big = new Map<number, unknown>();
    for (let i = 0; i < 60_000; i++) big.set(i, i);
    big.set(-1, new Neg());
    const a = holding(big);
    const b = holding([Neg]);
    expect(check([a, b]).map((f) => f.field)).toEqual(["children[0]"]);
  });

  test("property: the class or one of its objects at the end of any path of up to four containers is found, at that path", () => {
    type Step = "array" | "map" | "mapKey" | "set" | "object";
    const wrap = (step: Step, inner: unknown): [unknown, (p: string) => string] => {
      switch (step) {
        case "array":
          return [[0, inner], (p) => `${p}[1]`];
        case "map":
          return [new Map([["k", inner]]), (p) => `${p}.get("k")`];
        case "mapKey":
          return [new Map([[inner, 1]]), (p) => `${p}.keys()[0]`];
        case "set":
          return [new Set([1, inner]), (p) => `${p}.values()[1]`];
        case "object":
          return [{ x: 1, y: inner }, (p) => `${p}.y`];
      }
    };
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<Step>("array", "map", "mapKey", "set", "object"), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.boolean(),
        (steps, instance) => {
          let value: unknown = instance ? new Neg() : Neg;
          const paths: ((p: string) => string)[] = [];
          for (const step of steps) {
            const [outer, path] = wrap(step, value);
            value = outer;
            paths.unshift(path);
          }
          const expected = paths.reduce((p, f) => f(p), "children");
          const failures = check([holding(value)]);
          expect(failures.map((f) => f.field)).toEqual([expected]);
          expect(failures[0]!.message).toContain(
            instance ? "is an instance of Neg" : "is the class itself",
          );
        },
      ),
      { seed: 1713, numRuns: 300 },
    );
  });
});
