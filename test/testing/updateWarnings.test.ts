/**
 * The updates' warnings in the check: a superclass change that drops
 * inherited fields (MM_FIELDS_DROPPED, "every object lost those values")
 * and a lazy method reading a renamed field on a pending peer
 * (MM_PENDING_FIELD_READ) passed every property, each policy losing the
 * same values. The report lists what the updates said, and no-silent-loss
 * fails on a loss unless its code is accepted (`acceptWarnings`, checked:
 * MM_INVALID_OPTION for a code that accepts nothing).
 */
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { checkMigration, formatMigrationReport } from "../../src/testing/index.js";

const actors = [
  { name: "Actor", fields: [{ name: "name", initializer: '""' }] },
  { name: "Monster", fields: [{ name: "loot", initializer: "0" }] },
  { name: "Boss", superclass: "Monster", fields: [{ name: "rage", initializer: "1" }] },
];
const toActor = patch("boss-actor").changeSuperclass("Boss", "Actor").build();

const Acc = { name: "Acc", fields: [{ name: "balance", initializer: "0" }] };
const compare = patch("cmp")
  .renameField("Acc", "balance", "amount")
  .addMethods("Acc", {
    compare(this: { amount: number }, o: { amount: number }) {
      return this.amount - o.amount;
    },
  })
  .policy("lazy")
  .build();

const loss = (report: Awaited<ReturnType<typeof checkMigration>>) =>
  report.properties.find((p) => p.name === "no-silent-loss")!;

describe("update warnings", () => {
  test("fields a superclass change drops fail no-silent-loss, and the report lists the warning", async () => {
    const report = await checkMigration(toActor, { classes: actors, seed: 1, numRuns: 20 });
    expect(report.ok).toBe(false);
    expect(loss(report).status).toBe("failed");
    expect(loss(report).failure!.message).toContain("MM_FIELDS_DROPPED");
    expect(loss(report).failure!.message).toContain('acceptWarnings: ["MM_FIELDS_DROPPED"]');
    expect(report.warnings.map((w) => w.code)).toEqual(["MM_FIELDS_DROPPED"]);
    // Every other property holds: each policy loses the same values.
    expect(report.properties.filter((p) => p.status === "failed").map((p) => p.name)).toEqual([
      "no-silent-loss",
    ]);
    expect(formatMigrationReport(report)).toMatch(
      /warnings the updates gave:\n {4}MM_FIELDS_DROPPED: /,
    );
  });

  test("a lazy method reading a renamed field of a pending peer fails no-silent-loss", async () => {
    const report = await checkMigration(compare, { classes: [Acc], seed: 1, numRuns: 20 });
    expect(loss(report).status).toBe("failed");
    expect(loss(report).failure!.message).toContain("MM_PENDING_FIELD_READ");
  });

  test("an accepted code passes, and is still listed once", async () => {
    const report = await checkMigration(toActor, {
      classes: actors,
      seed: 1,
      numRuns: 20,
      acceptWarnings: ["MM_FIELDS_DROPPED"],
    });
    expect(loss(report).status).toBe("passed");
    expect(report.ok).toBe(true);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]!.code).toBe("MM_FIELDS_DROPPED");
  });

  test("a patch that warns of no loss passes it", async () => {
    const rename = patch("rename").renameField("Acc", "balance", "amount").build();
    const report = await checkMigration(rename, { classes: [Acc], seed: 1, numRuns: 20 });
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([]);
  });

  test.each([
    [["MM_FIELDS_DROPED"], /did you mean MM_FIELDS_DROPPED/],
    [["MM_UNSEEN_STATE"], /fails no property/],
    ["MM_FIELDS_DROPPED", /must be an array/],
    [[42], /not number/],
  ])("acceptWarnings %j is refused with MM_INVALID_OPTION", async (value, said) => {
    const run = checkMigration(toActor, {
      classes: actors,
      numRuns: 5,
      acceptWarnings: value as never,
    });
    await expect(run).rejects.toMatchObject({ code: "MM_INVALID_OPTION" });
    await expect(run).rejects.toThrow(said);
  });
});
