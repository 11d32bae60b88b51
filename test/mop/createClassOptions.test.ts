// `createClass(definition, options)` refuses an option it does not know
// (MM_INVALID_DEFINITION, as for options that are not an object), naming
// it, the options there are and the one likely meant. Before, `{ scoep: {
// Money } }` compiled the methods without Money (a ReferenceError at the
// first call), `{ superClass: Base }` made a root class, without a word.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { createClass, InvalidClassDefinitionError, type ClassDefinition } from "../../src/index.js";
import { keysCallersWrite } from "../support/optionKeys.js";

const KNOWN = ["superclass", "prototype", "scope"];

const definition = (extra: Partial<ClassDefinition> = {}): ClassDefinition => ({
  name: "Money",
  superclass: null,
  fields: [{ name: "cents", initializer: "ZERO" }],
  methods: [
    { key: "twice", kind: "method", static: false, source: "twice() { return this.cents * 2; }" },
  ],
  staticFields: [],
  hasPrivateMembers: false,
  version: 1,
  fieldOrigin: "created",
  ...extra,
});

const anyKey = keysCallersWrite(
  "scoep",
  "Scope",
  "superClass",
  "extends",
  "proto",
  "__proto__",
  "constructor",
  "toString",
);

function refusal(options: unknown): InvalidClassDefinitionError {
  try {
    createClass(definition(), options as never);
  } catch (error) {
    if (error instanceof InvalidClassDefinitionError) return error;
    throw error;
  }
  throw new Error("the class was created");
}

describe("createClass options", () => {
  test("property: an option createClass does not know is refused, naming it (seed 103)", () => {
    fc.assert(
      fc.property(anyKey, fc.anything(), fc.boolean(), (key, value, withScope) => {
        fc.pre(!KNOWN.includes(key));
        const options = Object.defineProperty(withScope ? { scope: { ZERO: 0 } } : {}, key, {
          value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
        const error = refusal(options);
        expect(error.code).toBe("MM_INVALID_DEFINITION");
        expect(error.message).toContain(
          `createClass: unknown option ${JSON.stringify(key)} (createClass takes superclass, prototype, scope)`,
        );
        expect(error.details).toMatchObject({ part: "options", option: key, known: KNOWN });
      }),
      { seed: 103, numRuns: 200 },
    );
  });

  test.each([
    ["scoep", "scope"],
    ["superClass", "superclass"],
    ["proto", "prototype"],
  ])("%s suggests %s", (key, meant) => {
    expect(refusal({ [key]: {} }).details).toMatchObject({ meant });
  });

  test("every option is still taken", () => {
    const Base = createClass(definition({ name: "Base", fields: [], methods: [] }));
    const Money = createClass<{ cents: number; twice(): number }>(
      definition({ superclass: "Base" }),
      { superclass: Base, scope: { ZERO: 21 } },
    );
    const money = new Money();
    expect([money.twice(), money instanceof Base]).toEqual([42, true]);
    // On a prototype of its own, whose methods a class handle installs at its commit.
    const prototype = {};
    const OnPrototype = createClass(definition(), { prototype, scope: { ZERO: 1 } });
    expect(Object.getPrototypeOf(new OnPrototype())).toBe(prototype);
  });
});
