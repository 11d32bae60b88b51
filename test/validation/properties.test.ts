import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  classDefinitionArb,
  DEFECT_KINDS,
  hierarchyArb,
  type InjectedDefect,
  invalidHierarchyArb,
} from "../../src/testing/arbitraries/classDefinitions.js";
import {
  type CyclicSuperclassFailure,
  type DuplicateFieldFailure,
  type ValidationFailure,
  validateDefinitions,
} from "../../src/validation/index.js";

const params = { seed: 42, numRuns: 200 };

/** The failure that must report this defect. */
function reports(failure: ValidationFailure, defect: InjectedDefect): boolean {
  if (failure.rule !== defect.rule || failure.className !== defect.className) return false;
  switch (defect.kind) {
    case "duplicate-field-up":
    case "duplicate-field-down":
      return (
        failure.field === defect.field &&
        (failure as DuplicateFieldFailure).ancestor === defect.ancestor
      );
    case "duplicate-field-own":
    case "bad-field-name":
      return failure.field === defect.field;
    case "unknown-superclass":
      return failure.message.includes(defect.superclass);
    default:
      return true;
  }
}

describe("arbitraries", () => {
  test("hierarchies are forests with unique names and no field twice on a chain", () => {
    fc.assert(
      fc.property(hierarchyArb({ maxClasses: 10, maxFields: 5 }), (classes) => {
        const index = new Map(classes.map((c, i) => [c.name, i]));
        expect(index.size).toBe(classes.length);
        classes.forEach((c, i) => {
          if (c.superclass !== null) expect(index.get(c.superclass)).toBeLessThan(i);
          const chain: string[] = [];
          for (let s: string | null = c.name; s !== null; s = classes[index.get(s)!]!.superclass) {
            chain.push(...classes[index.get(s)!]!.fields.map((f) => f.name));
          }
          expect(new Set(chain).size).toBe(chain.length);
        });
      }),
      params,
    );
  });

  test("every defect kind is generated", () => {
    const seen = new Set(
      fc.sample(invalidHierarchyArb(), { seed: 42, numRuns: 300 }).map((h) => h.defect.kind),
    );
    expect([...seen].sort()).toEqual([...DEFECT_KINDS].sort());
  });
});

describe("validateDefinitions properties", () => {
  test("a single generated definition is valid", () => {
    fc.assert(
      fc.property(classDefinitionArb, (d) => {
        expect(validateDefinitions([d])).toEqual([]);
      }),
      params,
    );
  });

  test("every valid hierarchy yields no failures, as an array and as a map", () => {
    fc.assert(
      fc.property(hierarchyArb({ maxClasses: 12, maxFields: 5 }), (classes) => {
        expect(validateDefinitions(classes)).toEqual([]);
        expect(validateDefinitions(new Map(classes.map((c) => [c.name, c])))).toEqual([]);
      }),
      params,
    );
  });

  test("every injected defect is reported under its rule, for its class, and nothing unrelated is", () => {
    fc.assert(
      fc.property(
        invalidHierarchyArb({ maxClasses: 10, maxFields: 4 }),
        ({ definitions, defect }) => {
          const failures = validateDefinitions(definitions);
          expect(failures.some((f) => reports(f, defect))).toBe(true);
          expect(failures.every((f) => f.rule === defect.rule)).toBe(true);
          if (defect.kind === "cycle") {
            const cyclic = failures as CyclicSuperclassFailure[];
            expect(cyclic.map((f) => f.className).sort()).toEqual([...defect.cycle].sort());
            const own = cyclic.find((f) => f.className === defect.className)!;
            expect(own.cycle).toEqual([...defect.cycle, defect.className]);
          }
          if (defect.kind === "duplicate-field-up" || defect.kind === "duplicate-field-own") {
            // Only the injected pair can be a duplicate: the rest of the hierarchy was valid.
            expect(failures).toHaveLength(1);
          }
        },
      ),
      params,
    );
  });
});
