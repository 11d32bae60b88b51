// `registerClass(cls, options)` refuses an option it does not know, a field
// definition key a field does not have, and an option of the wrong kind
// (MM_INVALID_OPTION, as for a bad `name`), before the class is touched.
// Before, `{ nmae: "E" }` registered the class under its own name, `{
// external: true }` was ignored (its superclass then refused as unmanaged),
// `fields: [{ name: "x", initialiser: "1" }]` lost the value, and
// `externalSuperclass: "false"` was taken for true.
import { EventEmitter } from "node:events";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidOptionError, Namespace } from "../../src/index.js";
import { isClassHandle } from "../../src/mop/index.js";
import { keysCallersWrite, withKey } from "../support/optionKeys.js";

const KNOWN = ["name", "externalSuperclass", "constructedOnlyThroughHandle", "fields", "observe"];

const anyKey = keysCallersWrite(
  "nmae",
  "Name",
  "className",
  "external",
  "externalSuperClass",
  "throughHandle",
  "constructedOnlyThroughHandles",
  "field",
  "feilds",
  "sample",
  "instanceFinder",
  "__proto__",
  "constructor",
  "toString",
);

/** The refusal of registering a fresh class with `options`; the namespace and the class untouched. */
function refusal(options: unknown): InvalidOptionError {
  const ns = new Namespace("reg");
  class Point {
    x = 1;
  }
  const prototype = Point.prototype;
  try {
    ns.registerClass(Point, options as never);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect([ns.version, ns.bindingNames(), isClassHandle(Point)]).toEqual([0, [], false]);
    // Nothing was taken: the class registers afterwards, keeping its own prototype.
    expect(Object.getPrototypeOf(new (ns.registerClass(Point))())).toBe(prototype);
    return error as InvalidOptionError;
  }
  throw new Error("the class was registered");
}

/** Options of the right kind for each key, to stand beside an unknown one. */
const knownOptions = fc.record(
  {
    name: fc.constant("Renamed"),
    constructedOnlyThroughHandle: fc.boolean(),
    fields: fc.constant(["x"]),
  },
  { requiredKeys: [] },
);

describe("registerClass options", () => {
  test("property: an option registerClass does not know is refused, naming it, nothing registered (seed 79)", () => {
    fc.assert(
      fc.property(anyKey, fc.anything(), knownOptions, (key, value, known) => {
        fc.pre(!KNOWN.includes(key));
        const error = refusal(withKey(known, key, value));
        expect(error.code).toBe("MM_INVALID_OPTION");
        expect(error.message).toContain(
          `namespace reg: unknown option ${JSON.stringify(key)} (registerClass takes ${KNOWN.join(", ")})`,
        );
        expect(error.details).toMatchObject({ namespace: "reg", option: key, known: KNOWN });
      }),
      { seed: 79, numRuns: 300 },
    );
  });

  test("property: a field definition key a field does not have is refused (seed 83)", () => {
    fc.assert(
      fc.property(anyKey, fc.anything(), (key, value) => {
        fc.pre(key !== "name" && key !== "initializer");
        const field = withKey({ name: "x", initializer: "1" }, key, value);
        const error = refusal({ fields: ["w", field] });
        expect(error.message).toContain(
          `namespace reg: registerClass's fields[1]: unknown key ${JSON.stringify(key)} (a field definition takes name, initializer)`,
        );
        expect(error.details).toMatchObject({ option: "fields", key });
      }),
      { seed: 83, numRuns: 200 },
    );
  });

  test("property: an option of the wrong kind is refused, not taken for true or for none (seed 89)", () => {
    const right: Readonly<Record<string, (v: unknown) => boolean>> = {
      name: (v) => typeof v === "string",
      externalSuperclass: (v) => typeof v === "boolean",
      constructedOnlyThroughHandle: (v) => typeof v === "boolean",
      fields: Array.isArray,
      observe: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
    };
    fc.assert(
      fc.property(fc.constantFrom(...KNOWN), fc.anything(), (option, value) => {
        fc.pre(value !== undefined && !right[option]!(value));
        const error = refusal({ [option]: value });
        expect(error.message).toMatch(
          new RegExp(`^namespace reg: registerClass's ${option} must be .+, not \\w+`),
        );
        expect(error.details).toMatchObject({ option });
      }),
      { seed: 89, numRuns: 200 },
    );
  });

  test.each([
    ["nmae", "name"],
    ["className", "name"],
    ["external", "externalSuperclass"],
    ["throughHandle", "constructedOnlyThroughHandle"],
    ["feilds", "fields"],
    ["sample", "observe"],
  ])("%s suggests %s", (key, meant) => {
    const error = refusal({ [key]: undefined });
    expect(error.message).toContain(`did you mean ${meant}?`);
    expect(error.details).toMatchObject({ meant });
  });

  test('{ nmae: "E" } no longer registers the class under its own name; every option is still taken', () => {
    expect(refusal({ nmae: "E" }).message).toBe(
      'namespace reg: unknown option "nmae" (registerClass takes name, externalSuperclass, constructedOnlyThroughHandle, fields, observe); did you mean name?',
    );
    const ns = new Namespace("taken");
    class Point {
      x = 1;
      y = 2;
    }
    const E = ns.registerClass(Point, {
      name: "E",
      fields: [{ name: "x", initializer: "1" }, "y"],
      constructedOnlyThroughHandle: true,
    });
    expect(ns.classNamed("E")).toBe(E);
    expect(ns.binding("E")).toMatchObject({
      definition: { fields: [{ name: "x", initializer: "1" }, { name: "y" }] },
    });
    class Emitter extends EventEmitter {
      z = 3;
    }
    class Sampled {
      declare w: number;
      constructor() {
        Object.assign(this, { w: 4 });
      }
    }
    ns.registerClass(Emitter, { externalSuperclass: true, constructedOnlyThroughHandle: false });
    ns.registerClass(Sampled, { observe: new Sampled() });
    expect(ns.binding("Emitter")).toMatchObject({
      definition: { externalSuperclass: "EventEmitter" },
    });
    expect(ns.binding("Sampled")).toMatchObject({ definition: { fields: [{ name: "w" }] } });
  });
});
