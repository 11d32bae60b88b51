/**
 * fast-check's global configuration — `fc.configureGlobal({ numRuns, seed })`,
 * a project's settings for every property — is what `checkMigration` and
 * `migrationProperties` use when their options give none, as fc.check
 * does: it was ignored (100 runs, a random seed each call), and the
 * predicate's "must check something" guard, which judges at the run
 * numbered `numRuns`, never judged under a runner configured for fewer.
 */
import fc from "fast-check";
import { afterEach, describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { checkMigration, migrationProperties } from "../../src/testing/index.js";

class Customer {
  name = "";
  age = 0;
}

afterEach(() => {
  fc.resetConfigureGlobal();
});

describe("fast-check's global configuration", () => {
  const ok = patch("ok").addField("Customer", "x", { default: 1 }).build();

  test("gives checkMigration its numRuns and seed when the options give none (seeded)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer(), async (numRuns, seed) => {
        fc.configureGlobal({ numRuns, seed });
        try {
          const options = { classes: [Customer], properties: ["totality" as const] };
          const [one, two] = [await checkMigration(ok, options), await checkMigration(ok, options)];
          expect([one.seed, two.seed]).toEqual([seed, seed]);
          expect(one.numRuns).toBe(numRuns);
          expect(one.properties[0]!.runs).toBe(numRuns);
          // The options still win.
          const own = await checkMigration(ok, { ...options, numRuns: 3, seed: 7 });
          expect([own.numRuns, own.seed, own.properties[0]!.runs]).toEqual([3, 7, 3]);
        } finally {
          fc.resetConfigureGlobal();
        }
      }),
      { seed: 9, numRuns: 5 },
    );
  });

  test("the predicates judge at the global numRuns: a property that checks nothing fails under a runner given none", async () => {
    const never = patch("never")
      .addField("Customer", "x", { default: 0 })
      .migrate("Customer", () => {
        throw new Error("boom");
      })
      .build();
    fc.configureGlobal({ numRuns: 30 });
    const [post] = migrationProperties(never, {
      classes: [Customer],
      postcondition: () => false,
      properties: ["postcondition"],
    });
    const details = await fc.check(fc.asyncProperty(post!.arbitrary, post!.predicate), { seed: 1 });
    expect(details.failed).toBe(true);
    expect(String((details.errorInstance as Error).message)).toMatch(
      /^only 0 of 30 runs checked something/,
    );
  });
});
