/**
 * Issue 16, item 3: ordinary classes, as the program wrote them, in
 * `checkMigration(patch, { classes: [Account] })` — including patches that
 * change their fields (a new implementation of the class, or field
 * operations, for which the engine derives the new version). Each world gets
 * a fresh copy of the class, so a committed update never reaches the next
 * world, nor the class the test holds.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import type { MigrationReport } from "../../src/testing/index.js";
import {
  checkMigration,
  formatMigrationReport,
  WorldSourceError,
} from "../../src/testing/index.js";

class Account {
  balance = 0;
  months = 12;
  constructor(public owner = "") {}
  total(): number {
    return this.balance;
  }
}

// Version 2: balance in cents, and a monthly rate derived from it.
class AccountV2 {
  cents = 0;
  months = 12;
  owner = "";
  perMonth = 0;
  total(): number {
    return this.cents / 100;
  }
}

const status = (report: MigrationReport) =>
  Object.fromEntries(report.properties.map((p) => [p.name, p.status]));

describe("ordinary classes", () => {
  test("a new implementation that changes the fields passes every property it can run, read from the class's source", async () => {
    const v2 = patch("cents")
      .replaceImplementation("Account", AccountV2, { renames: { cents: "balance" } })
      .migrate("Account", (old, account) => {
        account.cents = (old.balance as number) * 100;
        account.perMonth =
          old.months === 0 ? 0 : Math.trunc((old.balance as number) / (old.months as number));
      })
      .build();
    const report = await checkMigration(v2, {
      classes: [Account],
      values: { Account: { balance: fc.integer({ min: 0, max: 10_000 }) } },
      postcondition: (old, now) =>
        (now.cents === (old.balance as number) * 100 && now.owner === old.owner) ||
        `cents ${String(now.cents)} for balance ${String(old.balance)}`,
      numRuns: 60,
      seed: 3,
    });
    expect(report.ok, formatMigrationReport(report)).toBe(true);
    expect(status(report)).toMatchObject({
      totality: "passed",
      validity: "passed",
      rollback: "passed",
      "policy-independence": "passed",
      "no-op": "passed",
      postcondition: "passed",
    });
    // The fields came from the source: the generated worlds had balances.
    expect(report.properties.find((p) => p.name === "postcondition")!.checked).toBeGreaterThan(30);
  });

  test("the class the test holds is untouched by the committed updates of the worlds", async () => {
    const v2 = patch("cents").replaceImplementation("Account", AccountV2).build();
    await checkMigration(v2, {
      classes: [Account],
      numRuns: 20,
      seed: 1,
      properties: ["totality", "no-op"],
    });
    const fresh = new Account("ann");
    expect(Object.keys(fresh)).toEqual(["owner", "balance", "months"]);
    expect(fresh.total()).toBe(0);
    expect(Object.getOwnPropertyNames(Account.prototype)).toEqual(["constructor", "total"]);
  });

  test("a BigInt division by months is caught on the ordinary class, at the migrator's line in this file", async () => {
    const v2 = patch("per-month")
      .replaceImplementation("Account", AccountV2)
      .migrate("Account", (old, account) => {
        account.perMonth = Number(BigInt(old.balance as number) / BigInt(old.months as number));
      })
      .build();
    const report = await checkMigration(v2, {
      classes: [Account],
      properties: ["totality"],
      numRuns: 100,
      seed: 5,
    });
    const failure = report.properties[0]!.failure!;
    expect(failure.message).toContain("threw: Division by zero");
    expect(failure.counterexampleText).toMatch(/months: -?0 /);
    expect(failure.message).toMatch(/\n {4}at test\/testing\/ordinaryClasses\.test\.ts:\d+:\d+/);
  });

  test("a subclass and its superclass, both ordinary, are copied together", async () => {
    class Savings extends Account {
      rate = 1;
    }
    const v2 = patch("describe")
      .addMethod("Savings", {
        key: "describe",
        kind: "method",
        static: false,
        source: "describe() { return this.owner + ' at ' + this.rate; }",
      })
      .build();
    const report = await checkMigration(v2, {
      classes: [Savings, Account],
      postcondition: (old, now, { oldClass }) =>
        oldClass !== "Savings" ||
        (now as unknown as { describe(): string }).describe() ===
          `${String(old.owner)} at ${String(old.rate)}`,
      numRuns: 40,
      seed: 2,
    });
    expect(report.ok, formatMigrationReport(report)).toBe(true);
  });

  test("addField, renameField and removeField work on an ordinary class directly, every property", async () => {
    const p = patch("v2")
      .addField("Account", "currency", { default: "EUR" })
      .renameField("Account", "balance", "amount")
      .removeField("Account", "months")
      // total() reads the renamed field: kept as it is, it would read
      // nothing (the kit's no-silent-loss property says MM_STALE_CLOSURE).
      .replaceMethods("Account", {
        total(this: { amount: number }) {
          return this.amount;
        },
      })
      .build();
    const report = await checkMigration(p, {
      classes: [Account],
      postcondition: (old, now) =>
        (now.amount === old.balance && now.currency === "EUR" && !("months" in now)) ||
        `amount ${String(now.amount)} for balance ${String(old.balance)}`,
      numRuns: 40,
      seed: 1,
    });
    expect(report.ok, formatMigrationReport(report)).toBe(true);
    expect(status(report)).toMatchObject({ totality: "passed", postcondition: "passed" });
  });

  test("a migrator alone on an ordinary class is applied", async () => {
    const p = patch("double")
      .migrate("Account", (old, account) => {
        account.balance = (old.balance as number) * 2;
      })
      .build();
    const report = await checkMigration(p, {
      classes: [Account],
      values: { Account: { balance: fc.integer({ min: 0, max: 1000 }) } },
      postcondition: (old, now) => now.balance === (old.balance as number) * 2,
      numRuns: 30,
      seed: 4,
    });
    expect(report.ok, formatMigrationReport(report)).toBe(true);
  });

  test("moving a field out of an ordinary class without a new implementation is refused as the engine refuses it, before any run", async () => {
    const p = patch("split")
      .splitClass("Account", ["months"], { into: "Term", via: "term" })
      .build();
    const report = await checkMigration(p, {
      classes: [Account],
      numRuns: 10,
      seed: 1,
      properties: ["totality"],
    });
    expect(report.properties[0]).toMatchObject({ status: "failed", runs: 0 });
    expect(report.properties[0]!.failure!.message).toContain("needs a new implementation");
  });

  test("something that is not a class written in JavaScript is a WorldSourceError naming it", async () => {
    await expect(
      checkMigration(patch("p").build(), { classes: [Map as unknown as typeof Account] }),
    ).rejects.toMatchObject({ code: "MM_WORLD_SOURCE", details: { className: "Map" } });
    await expect(
      checkMigration(patch("p").build(), { classes: [function notAClass() {}] }),
    ).rejects.toBeInstanceOf(WorldSourceError);
  });
});
