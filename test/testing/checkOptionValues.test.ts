/**
 * A check's option values are refused before anything runs where they would
 * make it check nothing or never end: `numRuns: 0` reported every property
 * held "(0 runs each)" for a patch whose initialiser always throws,
 * `numRuns: 2.5` ran until the process ran out of memory, `"5"` was taken,
 * and `reverse: {}` / `composeWith: 42` threw a bare TypeError.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { checkMigration, migrationProperties } from "../../src/testing/index.js";

const Person = { name: "Person", fields: [{ name: "name", initializer: '""' }] };
let initialiserRuns = 0;
const broken = patch("broken")
  .addField("Person", "age", {
    initial: () => {
      initialiserRuns++;
      throw new Error("always");
    },
  })
  .build();

const BAD: Record<string, fc.Arbitrary<unknown>> = {
  numRuns: fc.oneof(
    fc.constantFrom(0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY),
    fc.string(),
    fc.constant(null),
  ),
  seed: fc.oneof(fc.constantFrom(1.5, Number.NaN), fc.string(), fc.boolean()),
  path: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)),
  minChecked: fc.constantFrom(-1, 0.5, "1", null),
  vacuity: fc.constantFrom("maybe", true, 1, null),
  reverse: fc.oneof(fc.constant({}), fc.integer(), fc.string(), fc.constant([broken])),
  composeWith: fc.oneof(fc.integer(), fc.constant({}), fc.constant([broken, {}])),
  properties: fc.constantFrom("rollback", 1, {}),
};

describe("option values", () => {
  test("a value an option cannot take is MM_INVALID_OPTION naming it, before the patch runs", async () => {
    const entries = fc.oneof(
      ...Object.entries(BAD).map(([option, values]) => fc.tuple(fc.constant(option), values)),
    );
    await fc.assert(
      fc.asyncProperty(entries, async ([option, value]) => {
        initialiserRuns = 0;
        const options = { classes: [Person], [option]: value };
        await expect(checkMigration(broken, options as never)).rejects.toMatchObject({
          code: "MM_INVALID_OPTION",
          details: { option },
          message: expect.stringContaining(`\`${option}\` must be`),
        });
        expect(() => migrationProperties(broken, options as never)).toThrow(
          expect.objectContaining({ code: "MM_INVALID_OPTION" }),
        );
        expect(initialiserRuns).toBe(0);
      }),
      { seed: 20261207, numRuns: 120 },
    );
  });

  test("the values the options take still run the check (and numRuns: 1 finds the broken initialiser)", async () => {
    const report = await checkMigration(broken, {
      classes: [Person],
      numRuns: 1,
      seed: 7,
      minChecked: 0,
      vacuity: "fail",
      composeWith: [],
      properties: ["totality"],
    });
    expect(report.ok).toBe(false);
    expect(initialiserRuns).toBeGreaterThan(0);
  });
});
