// `defineClass` refuses what it would otherwise drop without a word: a key a
// class spec, a field definition or a method definition does not have
// (MM_INVALID_DEFINITION, naming the key, the keys there are and the one
// likely meant), an option it does not know (MM_INVALID_OPTION), and a
// superclass of the wrong kind. Before, `defineClass({ name: "C", feilds:
// ["x"] })` defined a class without fields, `{ name: "x", initialiser: "1" }`
// a field without its value, and `superclass: 42` was refused as a lookup
// (MM_INVALID_ARGUMENT, "a binding is looked up by its name").
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidPatchError, MetamorphError, Namespace, patch } from "../../src/index.js";
import { keysCallersWrite, withKey } from "../support/optionKeys.js";

const SPEC_KEYS = ["name", "superclass", "fields", "methods", "statics", "staticFields"];
const FIELD_KEYS = ["name", "initializer"];
const METHOD_KEYS = ["key", "kind", "static", "source"];

const anyKey = keysCallersWrite(
  "feilds",
  "field",
  "Fields",
  "staticfields",
  "static",
  "method",
  "extends",
  "parent",
  "initialiser",
  "default",
  "value",
  "isStatic",
  "type",
  "body",
  "scoep",
  "__proto__",
  "constructor",
  "toString",
);

function world(): Namespace {
  const ns = new Namespace("defs");
  ns.defineClass({ name: "Base", fields: ["b"] });
  return ns;
}

/** What `run` threw at `ns`, with the namespace checked unchanged. */
function refusal(ns: Namespace, run: () => unknown): MetamorphError {
  const before = { version: ns.version, snapshot: ns.snapshot, names: ns.bindingNames() };
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MetamorphError);
    expect(ns.snapshot).toBe(before.snapshot);
    expect({ version: ns.version, names: ns.bindingNames() }).toEqual({
      version: before.version,
      names: before.names,
    });
    return error as MetamorphError;
  }
  throw new Error("the class was defined");
}

/** Where an unknown key can stand in what defineClass is given, and the message that names it. */
const PLACES = {
  spec: (key: string, value: unknown) => ({
    args: [withKey({ name: "Made", fields: ["x"] }, key, value)],
    part: "a class spec",
    known: SPEC_KEYS,
  }),
  field: (key: string, value: unknown) => ({
    args: [{ name: "Made", fields: ["w", withKey({ name: "x", initializer: "1" }, key, value)] }],
    part: "a field definition",
    known: FIELD_KEYS,
  }),
  staticField: (key: string, value: unknown) => ({
    args: [{ name: "Made", staticFields: [withKey({ name: "n", initializer: "0" }, key, value)] }],
    part: "a field definition",
    known: FIELD_KEYS,
  }),
  method: (key: string, value: unknown) => ({
    args: [
      {
        name: "Made",
        methods: [
          withKey(
            { key: "m", kind: "method", static: false, source: "m() { return 1; }" },
            key,
            value,
          ),
        ],
      },
    ],
    part: "a method definition",
    known: METHOD_KEYS,
  }),
} as const;

describe("defineClass keys", () => {
  test("property: a key a spec, field or method definition does not have is refused, naming it, nothing defined (seed 67)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(PLACES) as (keyof typeof PLACES)[])),
        anyKey,
        fc.anything(),
        (place, key, value) => {
          const { args, part, known } = PLACES[place](key, value);
          fc.pre(!known.includes(key));
          const ns = world();
          const error = refusal(ns, () => ns.defineClass(...(args as [never])));
          expect(error.code).toBe("MM_INVALID_DEFINITION");
          expect(error.message).toContain(
            `class Made: unknown key ${JSON.stringify(key)} (${part} takes ${known.join(", ")})`,
          );
          expect(error.details).toMatchObject({ className: "Made", key, known });
        },
      ),
      { seed: 67, numRuns: 400 },
    );
  });

  test("property: an option defineClass does not know is refused, nothing defined (seed 71)", () => {
    fc.assert(
      fc.property(anyKey, fc.anything(), fc.boolean(), (key, value, withScope) => {
        fc.pre(key !== "scope");
        const ns = world();
        const options = withKey(withScope ? { scope: {} } : {}, key, value);
        const error = refusal(ns, () => ns.defineClass({ name: "Made" }, options as never));
        expect(error.code).toBe("MM_INVALID_OPTION");
        expect(error.message).toContain(
          `namespace defs: unknown option ${JSON.stringify(key)} (defineClass takes scope)`,
        );
        expect(error.details).toMatchObject({ namespace: "defs", option: key, known: ["scope"] });
      }),
      { seed: 71, numRuns: 200 },
    );
  });

  test("property: a superclass that is not a name, a class or null is refused as a definition, not as a lookup (seed 73)", () => {
    fc.assert(
      fc.property(fc.anything(), (superclass) => {
        fc.pre(superclass !== undefined && superclass !== null && typeof superclass !== "string");
        const ns = world();
        const error = refusal(ns, () => ns.defineClass({ name: "Made", superclass } as never));
        expect(error.code).toBe("MM_INVALID_DEFINITION");
        expect(error.message).toMatch(
          /^namespace defs, class Made: superclass must be a class handle, a class, a binding name or null, not (an array|object|number|bigint|boolean|symbol)$/,
        );
      }),
      { seed: 73, numRuns: 200 },
    );
  });

  test.each([
    [{ name: "C", feilds: [] }, "fields"],
    [{ name: "C", extends: "Base" }, "superclass"],
    [{ name: "C", staticfields: [] }, "staticFields"],
    [{ name: "C", fields: [{ name: "x", initialiser: "1" }] }, "initializer"],
    [{ name: "C", fields: [{ name: "x", default: 1 }] }, "initializer"],
    [
      { name: "C", methods: [{ key: "m", kind: "method", isStatic: false, source: "m() {}" }] },
      "static",
    ],
    [
      { name: "C", methods: [{ name: "m", kind: "method", static: false, source: "m() {}" }] },
      "key",
    ],
  ])("%j suggests %s", (spec, meant) => {
    const ns = world();
    const error = refusal(ns, () => ns.defineClass(spec as never));
    expect(error.message).toContain(`did you mean ${meant}?`);
    expect(error.details).toMatchObject({ meant });
  });

  test("the misspelt part is no longer dropped; the spec meant defines the class with it", () => {
    const ns = world();
    expect(
      refusal(ns, () => ns.defineClass({ name: "Point", feilds: ["x"] } as never)).message,
    ).toBe(
      'class Point: unknown key "feilds" (a class spec takes name, superclass, fields, methods, statics, staticFields); did you mean fields?',
    );
    expect(
      refusal(ns, () => ns.defineClass({ name: "Point" }, { scoep: { k: 1 } } as never)).message,
    ).toBe('namespace defs: unknown option "scoep" (defineClass takes scope); did you mean scope?');
    const Point = ns.defineClass({ name: "Point", fields: [{ name: "x", initializer: "1" }, "y"] });
    expect({ ...new Point() }).toEqual({ x: 1, y: undefined });
  });

  test("a superclass of the wrong kind was refused as a lookup; the patch builder keeps its own refusal", () => {
    const ns = world();
    const error = refusal(ns, () => ns.defineClass({ name: "C", superclass: 42 } as never));
    expect(error.code).toBe("MM_INVALID_DEFINITION");
    expect(error.message).not.toContain("looked up");
    // The kind check is defineClass's: a builder call refuses as a patch (MM_INVALID_PATCH).
    expect(() => patch("p").addClass({ name: "C", superclass: 42 } as never)).toThrow(
      InvalidPatchError,
    );
  });

  test("every key is still taken: spec, field and method definitions, the scope, and a superclass by name, handle, registered class or null", () => {
    const ns = world();
    const Base = ns.classNamed("Base");
    class Registered {
      r = 1;
    }
    ns.registerClass(Registered);
    const All = ns.defineClass(
      {
        name: "All",
        superclass: "Base",
        fields: [{ name: "a", initializer: "limit" }, "a2"],
        methods: [{ key: "m", kind: "method", static: false, source: "m() { return this.a; }" }],
        statics: {
          s() {
            return 2;
          },
        },
        staticFields: [{ name: "count", initializer: "limit + 1" }, "plain"],
      },
      { scope: { limit: 7 } },
    ) as unknown as { new (): { a: number; m(): number }; count: number; s(): number };
    const all = new All();
    expect([all.a, all.m(), All.count, All.s()]).toEqual([7, 7, 8, 2]);
    expect(Object.getPrototypeOf(All)).toBe(Base);
    const ByHandle = ns.defineClass({ name: "ByHandle", superclass: Base });
    const ByClass = ns.defineClass({ name: "ByClass", superclass: Registered });
    const Root = ns.defineClass({
      name: "Root",
      superclass: null,
      methods: {
        m() {
          return 1;
        },
      },
    });
    expect(Object.getPrototypeOf(ByHandle)).toBe(Base);
    expect(Object.getPrototypeOf(ByClass)).toBe(ns.classNamed("Registered"));
    expect(ns.binding("ByHandle")).toMatchObject({ definition: { superclass: "Base" } });
    expect(ns.binding("ByClass")).toMatchObject({ definition: { superclass: "Registered" } });
    expect(Object.getPrototypeOf(Root)).toBe(Function.prototype);
  });

  test("a class this namespace does not manage, given as a superclass, is refused as an unknown binding", () => {
    const ns = world();
    const other = new Namespace("other").defineClass({ name: "Elsewhere" });
    for (const superclass of [Map, other, class Plain {}]) {
      const error = refusal(ns, () => ns.defineClass({ name: "C", superclass }));
      expect(error.code).toBe("MM_UNKNOWN_BINDING");
      expect(error.message).toContain("is not a class of this namespace");
    }
  });
});
