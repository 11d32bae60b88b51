/**
 * A workload's `maxCommands` and `policies` are refused before anything
 * runs when the property cannot use them: `maxCommands: 0` made every run
 * vacuous, `2.5` or NaN went to fast-check as they were, `policies: []`
 * threw from inside the property, `["eagre"]` applied the update with a
 * policy the engine refuses, and a duplicate weighted one policy silently.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { checkMigration, migrationProperties } from "../../src/testing/index.js";

const Counter = { name: "Counter", fields: [{ name: "n", initializer: "0" }] };
let setups = 0;
const workload = {
  setup: () => {
    setups++;
    return { model: {}, real: {} };
  },
  commands: [fc.constant({ check: () => true, run: () => {}, toString: () => "noop" })],
};
const p = patch("p").addField("Counter", "m", { default: 1 }).build();

const BAD: Record<string, fc.Arbitrary<unknown>> = {
  maxCommands: fc.oneof(
    fc.constantFrom(0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, null, true),
    fc.string(),
  ),
  policies: fc.oneof(
    fc.constant([]),
    fc.constantFrom("eager", ["eagre"], ["lazy", "lazy"], ["eager", 1], {}, null),
    // Every other list of valid names with a duplicate.
    fc
      .array(fc.constantFrom("eager", "lazy", "progressive"), { minLength: 2, maxLength: 5 })
      .filter((list) => new Set(list).size < list.length),
  ),
};

describe("workload option values", () => {
  test("a bad maxCommands or policies is MM_INVALID_OPTION naming it, before any run", async () => {
    const entries = fc.oneof(
      ...Object.entries(BAD).map(([key, values]) => fc.tuple(fc.constant(key), values)),
    );
    await fc.assert(
      fc.asyncProperty(entries, async ([key, value]) => {
        setups = 0;
        const options = { classes: [Counter], workload: { ...workload, [key]: value } };
        await expect(checkMigration(p, options as never)).rejects.toMatchObject({
          code: "MM_INVALID_OPTION",
          details: { option: `workload.${key}` },
          message: expect.stringContaining(`\`workload.${key}\` must be`),
        });
        expect(() => migrationProperties(p, options as never)).toThrow(
          expect.objectContaining({ code: "MM_INVALID_OPTION" }),
        );
        expect(setups).toBe(0);
      }),
      { seed: 20261207, numRuns: 60 },
    );
  });

  test("every valid value is taken: whole maxCommands from 1, any non-empty set of policies", async () => {
    const valid = fc.record({
      maxCommands: fc.integer({ min: 1, max: 3 }),
      policies: fc.subarray(["eager", "lazy", "progressive"] as const, { minLength: 1 }),
    });
    await fc.assert(
      fc.asyncProperty(valid, async (given) => {
        const report = await checkMigration(p, {
          classes: [Counter],
          workload: { ...workload, ...given },
          properties: ["workload"],
          numRuns: 3,
          // A workload of at most one call may draw none in 3 runs: not what is tested here.
          minChecked: 0,
          seed: 1,
        });
        expect(report.properties[0]).toMatchObject({ name: "workload", status: "passed" });
      }),
      { seed: 7, numRuns: 10 },
    );
  });
});
