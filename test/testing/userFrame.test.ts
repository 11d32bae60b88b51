/**
 * A failure is reported at the user's own line: an initialiser compiled
 * into metamorph's generated migration loop, wrapped in a MigrationError,
 * points at the initialiser, not at the generated code or the wrapper.
 */
import { describe, expect, test } from "vitest";
import { MigrationError, patch } from "../../src/index.js";
import { checkMigration, formatMigrationReport } from "../../src/testing/index.js";
import { userLocation } from "../../src/testing/properties/userFrame.js";

const Person = {
  name: "Person",
  fields: [
    { name: "first", initializer: '""' },
    { name: "last", initializer: '""' },
  ],
};

const initials = (old: Readonly<Record<string, unknown>>): string =>
  (old.first as string)[0]!.toUpperCase();

/** Where `initials` throws, as the kit words it: the line the report must show. */
function initialsLine(): string {
  try {
    initials({ first: "" });
  } catch (error) {
    return userLocation(error)!;
  }
  throw new Error("initials did not throw");
}

describe("user frames", () => {
  test("a throwing initialiser is reported at its own line", async () => {
    const p = patch("initials").addField("Person", "initials", { initial: initials }).build();
    const report = await checkMigration(p, {
      classes: [Person],
      properties: ["totality"],
      seed: 42,
      numRuns: 100,
    });
    const failure = report.properties[0]!.failure;
    expect(failure, formatMigrationReport(report)).toBeDefined();
    expect(failure!.message).toContain(`\n    at ${initialsLine()}`);
    expect(failure!.message).not.toContain("eval at");
  });

  test("frames of generated code are skipped", () => {
    const error = new Error("boom");
    error.stack = [
      "Error: boom",
      "    at computeRange (eval at generated (file:///elsewhere/compiledSource.ts:1:308), <anonymous>:14:7)",
      "    at Object.<anonymous> (/somewhere/user.ts:3:9)",
    ].join("\n");
    expect(userLocation(error)).toBe("/somewhere/user.ts:3:9");
  });

  test("the cause is read before the error wrapping it", () => {
    const cause = new TypeError("no first letter");
    cause.stack = "TypeError: no first letter\n    at initial (/somewhere/patch.ts:7:30)";
    const wrapper = new MigrationError("computing a field threw", { cause });
    wrapper.stack = "MigrationError: computing a field threw\n    at run (/somewhere/test.ts:40:5)";
    expect(userLocation(wrapper)).toBe("/somewhere/patch.ts:7:30");
  });
});
