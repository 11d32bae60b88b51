// A class spec given to the builder (addClass, insertSuperclass) with a key a
// spec does not have, or a field definition with a key a field does not have,
// is refused like a builder option the call does not know (MM_INVALID_PATCH),
// naming the key, the keys there are and the one likely meant. Before,
// `addClass({ name: "C", feilds: ["x"] })` added a class without fields, and
// `{ name: "x", initialiser: "1" }` a field without its value, without a word.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidPatchError, Namespace, patch, updateSync } from "../../src/index.js";
import { keysCallersWrite, withKey } from "../support/optionKeys.js";

const SPEC_KEYS = ["name", "superclass", "fields", "methods", "statics", "staticFields"];
const FIELD_KEYS = ["name", "initializer"];

const CALLS = {
  addClass: (spec: object) => patch("p").addClass(spec as never),
  insertSuperclass: (spec: object) => patch("p").insertSuperclass("C", spec as never),
} as const;

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
  "initializers",
  "default",
  "value",
  "__proto__",
  "constructor",
  "toString",
);

function refusal(run: () => unknown): InvalidPatchError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidPatchError) return error;
    throw error;
  }
  throw new Error("the call was not refused");
}

describe("class spec keys", () => {
  test("property: a spec key a class spec does not have is refused, naming it and the spec's keys (seed 53)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(CALLS) as (keyof typeof CALLS)[])),
        anyKey,
        fc.anything(),
        (call, key, value) => {
          fc.pre(!SPEC_KEYS.includes(key));
          const error = refusal(() =>
            CALLS[call](withKey({ name: "Made", fields: ["x"] }, key, value)),
          );
          expect(error.code).toBe("MM_INVALID_PATCH");
          expect(error.message).toContain(
            `patch "p", ${call}: unknown key ${JSON.stringify(key)} (a class spec takes ${SPEC_KEYS.join(", ")})`,
          );
          expect(error.details).toMatchObject({ operation: call, key, known: SPEC_KEYS });
        },
      ),
      { seed: 53, numRuns: 300 },
    );
  });

  test("property: a field definition key a field does not have is refused, in fields and staticFields alike (seed 59)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(CALLS) as (keyof typeof CALLS)[])),
        fc.constantFrom("fields", "staticFields"),
        anyKey,
        fc.anything(),
        (call, part, key, value) => {
          fc.pre(!FIELD_KEYS.includes(key));
          const field = withKey({ name: "x", initializer: "1" }, key, value);
          const error = refusal(() => CALLS[call]({ name: "Made", [part]: ["w", field] }));
          expect(error.code).toBe("MM_INVALID_PATCH");
          expect(error.message).toContain(
            `patch "p", ${call}: unknown key ${JSON.stringify(key)} (a field definition takes name, initializer)`,
          );
          expect(error.details).toMatchObject({ operation: call, key, known: FIELD_KEYS });
        },
      ),
      { seed: 59, numRuns: 200 },
    );
  });

  test.each([
    ["feilds", "fields"],
    ["nmae", "name"],
    ["extends", "superclass"],
    ["superClass", "superclass"],
    ["staticfield", "staticFields"],
    ["members", "methods"],
  ])("%s suggests %s", (key, meant) => {
    const error = refusal(() => patch("p").addClass(withKey({ name: "C" }, key, []) as never));
    expect(error.message).toContain(`did you mean ${meant}?`);
    expect(error.details).toMatchObject({ meant });
  });

  test("the misspelt part is no longer dropped: refused, nothing applied; the spec meant adds the class with its fields", () => {
    const ns = new Namespace("specs");
    const error = refusal(() =>
      patch("p").addClass({ name: "Point", feilds: ["x", "y"] } as never),
    );
    expect(error.message).toBe(
      'patch "p", addClass: unknown key "feilds" (a class spec takes name, superclass, fields, methods, statics, staticFields); did you mean fields?',
    );
    const initialiser = refusal(() =>
      patch("p").addClass({ name: "Point", fields: [{ name: "x", initialiser: "1" }] } as never),
    );
    expect(initialiser.details).toMatchObject({ key: "initialiser", meant: "initializer" });
    expect(ns.version).toBe(0);
    updateSync(
      ns,
      patch("p")
        .addClass({ name: "Point", fields: [{ name: "x", initializer: "1" }, "y"] })
        .build(),
    );
    const Point = ns.lookup("Point") as new () => object;
    expect({ ...new Point() }).toEqual({ x: 1, y: undefined });
  });

  test("every key a spec has is still taken", () => {
    const p = patch("p")
      .addClass({
        name: "A",
        superclass: null,
        fields: [{ name: "a", initializer: "1" }],
        methods: {
          m() {
            return 1;
          },
        },
        statics: {
          s() {
            return 2;
          },
        },
        staticFields: [{ name: "count", initializer: "0" }],
      })
      .insertSuperclass("A", { name: "Base", fields: ["b"], methods: [] })
      .build();
    expect(p.operations.map((op) => op.op)).toEqual(["addClass", "insertSuperclass"]);
  });

  test("a method definition given in an array with a key it does not have is the builder's refusal, naming it", () => {
    const method = { key: "m", kind: "method", static: false, sorce: "m() { return 1; }" };
    expect(() =>
      patch("p")
        .addClass({ name: "C", methods: [method] } as unknown as { name: "C" })
        .build(),
    ).toThrow(
      expect.objectContaining({
        code: "MM_INVALID_PATCH",
        message: expect.stringContaining(
          'unknown key "sorce" (a method definition takes key, kind, static, source); did you mean source?',
        ),
      }),
    );
  });
});
