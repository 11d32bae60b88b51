import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { UnknownFieldError } from "../../src/index.js";
import {
  fieldNamesOf,
  readInstanceVariable,
  writeInstanceVariable,
} from "../../src/mop/instanceAccess.js";
import { Namespace } from "../../src/index.js";

describe("instance variables by name", () => {
  const ns = new Namespace("zoo");
  const Animal = ns.defineClass<{ name: string }>({ name: "Animal", fields: ["name"] });
  const Dog = ns.defineClass<{ name: string; tricks: number }>({
    name: "Dog",
    superclass: "Animal",
    fields: [{ name: "tricks", initializer: "0" }],
  });

  test("reads and writes inherited and own fields", () => {
    const d = new Dog({ name: "rex" });
    expect(fieldNamesOf(Dog)).toEqual(["name", "tricks"]);
    expect(readInstanceVariable(d, "name")).toBe("rex");
    writeInstanceVariable(d, "tricks", 3);
    expect(d.tricks).toBe(3);
    expect(readInstanceVariable(new Animal({ name: "a" }), "name")).toBe("a");
  });

  test("an unknown name is a typed error that names the class and its fields, and writes nothing", () => {
    const d = new Dog({ name: "rex" });
    const keys = Object.keys(d);
    expect(() => writeInstanceVariable(d, "trick", 1)).toThrow(UnknownFieldError);
    expect(() => readInstanceVariable(d, "trick")).toThrow(
      /Dog has no instance variable "trick" \(it has: name, tricks\)/,
    );
    expect(Object.keys(d)).toEqual(keys);
    try {
      readInstanceVariable(d, "x");
    } catch (e) {
      expect((e as UnknownFieldError).code).toBe("MM_UNKNOWN_FIELD");
      expect((e as UnknownFieldError).details).toMatchObject({ className: "Dog", field: "x" });
    }
  });

  test("ordinary classes are read from their source", () => {
    class Plain {
      a = 1;
      b: number;
      constructor() {
        this.b = 2;
      }
    }
    const p = new Plain();
    expect(readInstanceVariable(p, "b")).toBe(2);
    expect(() => readInstanceVariable(p, "c")).toThrow(UnknownFieldError);
  });

  test("property: every defined field reads back what was written; every other name is refused", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer(), (name, value) => {
        const d = new Dog({ name: "x" });
        if (name === "name" || name === "tricks") {
          writeInstanceVariable(d, name, value);
          expect(readInstanceVariable(d, name)).toBe(value);
        } else {
          expect(() => readInstanceVariable(d, name)).toThrow(UnknownFieldError);
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});
