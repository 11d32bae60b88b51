// V8 names an object's type in stack traces after the source name of its
// map's constructor. For objects a class handle allocates that is the
// handle's forwarder, whose frames read `forward.method` for every managed
// class until the forwarder was compiled under the class's name.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace } from "../../src/index.js";

/** The first frame of a stack taken inside a method of class `name`. */
function frameInMethod(name: string): { frame: string; made: { v: number }; handle: Function } {
  const ns = new Namespace("names");
  const Handle = ns.defineClass<{ v: number; where(): string }>({
    name,
    fields: [{ name: "v", initializer: "1" }],
    methods: {
      where() {
        return String(new Error("here").stack).split("\n")[1]!.trim();
      },
    },
  });
  const made = new Handle({ v: 7 });
  return { frame: made.where(), made, handle: Handle };
}

describe("class handle forwarders carry the class's name", () => {
  test("a stack through a method of a defined class names the class, not the forwarder", () => {
    for (const name of ["Account", "Defined", "$money", "_x1"]) {
      expect(frameInMethod(name).frame.split(" ")[1]).toBe(`${name}.where`);
    }
  });

  test("any valid class name, also one the forwarder's own code uses, names the class and builds working instances (property)", () => {
    const ownWords = fc.constantFrom(
      "state",
      "name",
      "forward",
      "init",
      "instance",
      "target",
      "observe",
      "Reflect",
      "TypeError",
      "setPrototypeOf",
      "getPrototypeOf",
      "construct",
    );
    const identifier = fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,10}$/);
    fc.assert(
      fc.property(fc.oneof(ownWords, identifier), (name) => {
        fc.pre(!name.startsWith("$mm$")); // the prefix of the forwarder's own bindings
        let made: ReturnType<typeof frameInMethod>;
        try {
          made = frameInMethod(name);
        } catch (error) {
          // Reserved words are refused by the namespace, before any handle exists.
          expect((error as { code?: string }).code).toBe("MM_INVALID_DEFINITION");
          return;
        }
        expect(made.made.v).toBe(7);
        expect(made.made).toBeInstanceOf(made.handle);
        expect(made.handle.name).toBe(name);
        expect(made.frame.split(" ")[1]).toBe(`${name}.where`);
      }),
      { seed: 0x6e616d65, numRuns: 200 },
    );
  });
});
