/**
 * A namespace's finder options (src/namespace/options.ts): `switchToHeapAfter`
 * sets the adaptive finder's threshold, and a value that cannot be one is
 * refused before the namespace exists, with the option named.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidOptionError, Namespace } from "../../src/index.js";
import type { NamespaceOptions } from "../../src/index.js";

function refusal(options: NamespaceOptions): InvalidOptionError {
  try {
    new Namespace("options", options);
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error("the namespace was created");
}

describe("switchToHeapAfter", () => {
  test("property: the adaptive finder switches at exactly that many constructions in one job (seed 11)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), (threshold) => {
        const ns = new Namespace("threshold", { switchToHeapAfter: threshold });
        const Cell = ns.defineClass<{ v: number }>({
          name: "Cell",
          fields: [{ name: "v", initializer: "0" }],
          methods: {},
        });
        const cells: object[] = [];
        for (let v = 0; v < threshold - 1; v++) cells.push(new Cell({ v }));
        expect(ns.finder.kind).toBe("registry");
        cells.push(new Cell({ v: threshold }));
        expect(ns.finder.kind).toBe("heap");
        expect(ns.allInstances(Cell)).toHaveLength(cells.length);
      }),
      { seed: 11, numRuns: 15 },
    );
  });

  test("property: anything but a positive integer is refused, naming the option and the value (seed 12)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ max: 0 }),
          fc.double({ noInteger: true }),
          fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60),
          fc.string(),
          fc.boolean(),
          fc.constant(null),
        ),
        (value) => {
          const error = refusal({ switchToHeapAfter: value as number });
          expect(error.code).toBe("MM_INVALID_OPTION");
          expect(error.message).toContain("switchToHeapAfter");
          expect(error.message).toContain(String(value));
        },
      ),
      { seed: 12, numRuns: 60 },
    );
  });

  test.each(["registry", "heap"] as const)(
    "is refused with the %s finder, which has no threshold",
    (instanceFinder) => {
      const error = refusal({ instanceFinder, switchToHeapAfter: 10 });
      expect(error.code).toBe("MM_INVALID_OPTION");
      expect(error.message).toContain(
        `switchToHeapAfter applies to the adaptive instance finder, not "${instanceFinder}"`,
      );
    },
  );
});
