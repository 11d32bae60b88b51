/**
 * The predicates of `migrationProperties`, run by fast-check's own runners
 * (`fc.assert`, as `@fast-check/vitest`'s `test.prop` does), hold a
 * property to `minChecked` as `checkMigration` does: a patch whose update
 * is always refused checks nothing, and must not pass.
 */
import fc from "fast-check";
import { describe, expect, test, vi } from "vitest";
import { patch } from "../../src/index.js";
import type { CheckMigrationOptions } from "../../src/testing/index.js";
import { migrationProperties } from "../../src/testing/index.js";

const Person = {
  name: "Person",
  fields: [
    { name: "first", initializer: '""' },
    { name: "born", initializer: "1970" },
  ],
};
const ages = (validation: () => boolean) =>
  patch("ages")
    .addField("Person", "age", { default: 0 })
    .migrate("Person", (old, p) => {
      p.age = 2024 - (old.born as number);
    })
    .validate("always", validation)
    .build();
const options: CheckMigrationOptions = {
  classes: [Person],
  numRuns: 30,
  properties: ["policy-independence", "postcondition"],
  postcondition: (old, now) => now.age === 2024 - (old.born as number),
};

/** fast-check's verdict on each property's predicate, over `numRuns` runs. */
async function verdicts(
  options: CheckMigrationOptions,
  refuse: boolean,
): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = [];
  for (const p of migrationProperties(
    ages(() => !refuse),
    options,
  )) {
    const details = await fc.check(fc.asyncProperty(p.arbitrary, p.predicate), {
      numRuns: options.numRuns ?? 100,
      seed: 42,
    });
    out.push(details.failed ? String((details.errorInstance as Error).message) : undefined);
  }
  return out;
}

describe("minChecked under fast-check's runners", () => {
  test("a property that checked nothing fails, in checkMigration's words; one that checked passes", async () => {
    const failed = await verdicts(options, true);
    expect(failed).toHaveLength(2);
    for (const message of failed) {
      expect(message).toMatch(
        /^only 0 of 30 runs checked something \(refused by ValidationError \[always\]: 30\); the property passed over runs in which it checked nothing/,
      );
    }
    expect(await verdicts(options, false)).toEqual([undefined, undefined]);
  });

  test('vacuity: "warn" passes, warning once per property', async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(await verdicts({ ...options, vacuity: "warn" }, true)).toEqual([undefined, undefined]);
      const warnings = warn.mock.calls.map(([m]) => String(m));
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(/^metamorph\/testing: policy-independence: only 0 of 30 runs/);
      expect(warnings[1]).toMatch(/^metamorph\/testing: postcondition: only 0 of 30 runs/);
    } finally {
      warn.mockRestore();
    }
  });
});
