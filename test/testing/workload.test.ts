/**
 * The workload property (issue 16, item 6): the update applied at a
 * generated point of a generated workload of calls, under each policy;
 * failures shrink to the shortest workload and the earliest point.
 */
import { describe, expect, test } from "vitest";
import { AccountV1, accountWorkload, BankV1 } from "../../examples/testing/accountService.js";
// Runs the example a user copies, so it stays true.
import "../../examples/testing/accountService.test.js";
import { patch } from "../../src/index.js";
import type { PropertyResult } from "../../src/testing/index.js";
import { checkMigration, formatMigrationReport } from "../../src/testing/index.js";

const options = {
  classes: [AccountV1, BankV1],
  instantiate: ["Account"],
  maxInstances: 2,
  workload: accountWorkload,
  properties: ["workload"] as const,
  seed: 11,
  numRuns: 200,
};

function workloadResult(report: Awaited<ReturnType<typeof checkMigration>>): PropertyResult {
  return report.properties.find((p) => p.name === "workload")!;
}

describe("updates at every point of a workload", () => {
  test("a derived field given a default instead of derived breaks the invariant once an account is overdrawn; shrunk to open, withdraw, update", async () => {
    const defaulted = patch("accounts-v2-defaulted")
      .renameField("Account", "balance", "amount")
      .addField("Account", "overdrawn", { default: false })
      .replaceMethods("Account", {
        deposit(this: { amount: number; overdrawn: boolean }, n: number) {
          this.amount += n;
          this.overdrawn = this.amount < 0;
        },
        withdraw(this: { amount: number; overdrawn: boolean }, n: number) {
          this.amount -= n;
          this.overdrawn = this.amount < 0;
        },
        current(this: { amount: number }) {
          return this.amount;
        },
      })
      .build();
    const report = await checkMigration(defaulted, options);
    const result = workloadResult(report);
    expect(result.status, formatMigrationReport(report)).toBe("failed");
    const f = result.failure!;
    expect(f.message).toContain("the invariant does not hold after:");
    expect(f.message).toMatch(
      /1\. open\((\w+)\)\n {2}2\. withdraw\(\1, 1\)\n {2}3\. — update accounts-v2-defaulted \((eager|lazy|progressive)\) —/,
    );
    expect(f.message).toMatch(/overdrawn false with amount -1/);
    // The shortest workload, the update at the earliest failing point.
    expect(f.counterexampleText).toMatch(
      /workload: open\((\w+)\),withdraw\(\1, 1\)[^;]*; update before call 2 /,
    );
  });

  test("methods left reading the old field name make a call answer wrongly after the update, and the report says which call", async () => {
    const forgotten = patch("accounts-v2-forgotten")
      .renameField("Account", "balance", "amount")
      .addField("Account", "overdrawn", {
        default: false,
        initial: (old) => (old.balance as number) < 0,
      })
      .build();
    const report = await checkMigration(forgotten, options);
    const f = workloadResult(report).failure!;
    expect(f.message).toContain("a call failed:");
    expect(f.message).toMatch(
      /— update accounts-v2-forgotten \(\w+\) —\n(?: {2}\d+\. .*\n)* {2}\d+\. balanceOf\(\w+\)\nAssertionError: expected undefined to be/,
    );
    // Where the failing call's check is, in the user's file.
    expect(f.message).toMatch(/\n {4}at examples\/testing\/accountService\.ts:\d+:\d+/);
  });

  test("the correct patch passes under every policy, and its runs really checked calls", async () => {
    const { accountsV2 } = await import("../../examples/testing/accountService.js");
    for (const policy of ["eager", "lazy", "progressive"] as const) {
      const report = await checkMigration(accountsV2, {
        ...options,
        workload: { ...accountWorkload, policies: [policy] },
        numRuns: 60,
      });
      const result = workloadResult(report);
      expect(result.status, formatMigrationReport(report)).toBe("passed");
      expect(result.checked).toBeGreaterThan(30);
    }
  });

  test("a workload with no commands is refused before any run", async () => {
    const report = await checkMigration(patch("p").build(), {
      ...options,
      workload: { ...accountWorkload, commands: [] },
    });
    expect(workloadResult(report)).toMatchObject({
      status: "failed",
      runs: 0,
      failure: { message: "the workload has no commands" },
    });
  });
});
