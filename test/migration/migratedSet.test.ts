import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CHUNK, MigratedSet, SINGLE } from "../../src/migration/migratedSet.js";

describe("MigratedSet", () => {
  test("objects marked one at a time and in bulk, across several chunks, are found; others are not", () => {
    const set = new MigratedSet();
    const bulk = Array.from({ length: 2 * CHUNK + 5 }, (_, i) => ({ i }));
    const single = Array.from({ length: 10 }, (_, i) => ({ s: i }));
    bulk.forEach((o, i) => {
      set.addInBulk(o);
      if (i < single.length) set.add(single[i]!);
    });
    expect(bulk.every((o) => set.has(o))).toBe(true);
    expect(single.every((o) => set.has(o))).toBe(true);
    expect(set.has({})).toBe(false);
    // Beyond SINGLE objects marked one at a time, the rest go into chunks.
    const many = Array.from({ length: SINGLE + 3 }, () => ({}));
    for (const o of many) set.add(o);
    expect(many.every((o) => set.has(o))).toBe(true);
    expect(set.has(bulk.slice)).toBe(false);
  });

  test("property: has(o) is true exactly for the objects marked, whatever the interleaving", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ mark: fc.constantFrom("none", "single", "bulk") }), {
          maxLength: 300,
        }),
        (plan) => {
          const set = new MigratedSet();
          const objects = plan.map(() => ({}));
          plan.forEach(({ mark }, i) => {
            if (mark === "single") set.add(objects[i]!);
            if (mark === "bulk") set.addInBulk(objects[i]!);
          });
          return plan.every(({ mark }, i) => set.has(objects[i]!) === (mark !== "none"));
        },
      ),
      { seed: 1313, numRuns: 200 },
    );
  });
});
