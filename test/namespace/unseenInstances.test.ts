// A class handed to registerClass can be constructed by code that holds the
// class itself — its own methods, a static factory, its package — and can
// have instances from before its registration. The registry never sees
// those; an update that found only the handle's objects left the others with
// their old fields under the new code (a rename lost their value silently).
// In Node the default finder now answers such a namespace with the heap.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

/** How one object comes to exist. */
type Path = "handle" | "ownMethod" | "staticFactory" | "beforeRegistration";

function world(options: { readonly constructedOnlyThroughHandle?: boolean } = {}) {
  class Money {
    constructor(public cents: number) {}
    plus(other: Money): Money {
      return new Money(this.cents + other.cents); // the class's own binding, not the handle
    }
    static of(cents: number): Money {
      return new Money(cents);
    }
  }
  const early = [new Money(-1), new Money(-2)];
  const ns = new Namespace("money");
  const Handle = ns.registerClass(Money, options);
  const make = (path: Path, cents: number): Money => {
    switch (path) {
      case "handle":
        return new Handle(cents);
      case "ownMethod":
        return new Handle(0).plus(new Handle(cents));
      case "staticFactory":
        return Handle.of(cents);
      case "beforeRegistration":
        return early.pop() ?? new Money(cents);
    }
  };
  return { ns, Handle, make };
}

describe("registerClass: instances made without the handle", () => {
  test("with the default finder, an update migrates every live instance, however it was made (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            path: fc.constantFrom<Path>(
              "handle",
              "ownMethod",
              "staticFactory",
              "beforeRegistration",
            ),
            cents: fc.integer({ min: 0, max: 1e6 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (specs) => {
          const { ns, make } = world();
          expect(ns.finder.kind).toBe("heap");
          const objects = specs.map((s) => make(s.path, s.cents));
          const cents = objects.map((o) => o.cents);
          updateSync(ns, patch("rename").renameField("Money", "cents", "amount").build());
          for (const [i, o] of objects.entries()) {
            expect(Object.keys(o)).toEqual(["amount"]);
            expect((o as unknown as { amount: number }).amount).toBe(cents[i]);
          }
        },
      ),
      { seed: 0x6d6f6e, numRuns: 12 },
    );
  });

  test("constructedOnlyThroughHandle keeps the registry, which sees every object the handle makes", () => {
    const { ns, Handle, make } = world({ constructedOnlyThroughHandle: true });
    expect(ns.finder.kind).toBe("registry");
    const objects = [make("handle", 5), new Handle(7)];
    updateSync(ns, patch("rename").renameField("Money", "cents", "amount").build());
    expect(objects.map((o) => JSON.stringify(o))).toEqual(['{"amount":5}', '{"amount":7}']);
  });

  test("a class defined by the namespace keeps the registry: only its handle can make instances", () => {
    const ns = new Namespace("defined");
    ns.defineClass({ name: "Point", fields: [{ name: "x", initializer: "0" }] });
    expect(ns.finder.kind).toBe("registry");
  });
});
