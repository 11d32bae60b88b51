/**
 * Vitest integration: `describeMigration` declares one test per property;
 * the properties also run under `@fast-check/vitest`'s `test.prop` and
 * `fc.assert`, whose failure messages print the shrunk counterexample as
 * the kit formats it, with the seed to replay it.
 */
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { migrationProperties } from "../../src/testing/index.js";
import { describeMigration } from "../../src/testing/vitest.js";

const Person = {
  name: "Person",
  fields: [{ name: "name", initializer: '""' }, { name: "age", initializer: "0" }, "friend"],
};
const upper = patch("upper")
  .addField("Person", "shout", { default: "", initial: (old) => String(old.name).toUpperCase() })
  .build();

// One test per property, named after it; round trip gets a reverse.
describeMigration(upper, {
  classes: [Person],
  reverse: patch("upper-back").removeField("Person", "shout").build(),
  numRuns: 100,
  seed: 8,
});

describe("the properties under @fast-check/vitest", () => {
  for (const property of migrationProperties(upper, { classes: [Person] })) {
    if (property.skipped) continue;
    fcTest.prop([property.arbitrary], { seed: 9, numRuns: 50 })(property.name, property.predicate);
  }
});

describe("failure messages", () => {
  test("fc.assert on a failing property prints the kit's counterexample, the seed and the path", async () => {
    const initial = patch("initial")
      .addField("Person", "initial", { initial: (old) => (old.name as string)[0]!.toUpperCase() })
      .build();
    const [totality] = migrationProperties(initial, {
      classes: [Person],
      properties: ["totality"],
    });
    const error = await fc
      .assert(fc.asyncProperty(totality!.arbitrary, totality!.predicate), {
        seed: 10,
        numRuns: 100,
      })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error).toBeInstanceOf(Error);
    const message = error!.message;
    expect(message).toContain("seed: 10");
    expect(message).toMatch(/path: "[\d:]+"/);
    expect(message).toMatch(/Counterexample: \[#0 Person \{ name: "", age: 0, friend: .* \}\]/);
    // fast-check gives the property's own failure as the cause.
    const cause = error!.cause as Error;
    expect(cause.name).toBe("PropertyViolation");
    expect(cause.message).toContain('computing field "initial" of Person');
  });
});
