/**
 * The account service's update, checked at every point of a workload
 * (the service, the patch and the workload are in accountService.ts).
 *
 * In your project, import from "metamorph/testing" instead of the relative
 * path below.
 */
import { expect, test } from "vitest";
import { checkMigration, formatMigrationReport } from "../../src/testing/index.js";
import { AccountV1, accountsV2, accountWorkload, BankV1 } from "./accountService.js";

// The check: every property, and the update at every point of the workload.
test("accounts-v2 can be applied at any point while the service runs", async () => {
  const report = await checkMigration(accountsV2, {
    classes: [AccountV1, BankV1],
    instantiate: ["Account"],
    maxInstances: 2,
    workload: accountWorkload,
    seed: 7,
    numRuns: 150,
  });
  expect(report.ok, formatMigrationReport(report)).toBe(true);
  const workload = report.properties.find((p) => p.name === "workload")!;
  expect(workload.status).toBe("passed");
});
