/**
 * Instances inside containers: programs keep their objects in arrays, Maps,
 * Sets and plain objects far more often than in a field of their own, and
 * a migrator reading through one (`old.accounts.reduce(…)`) depends on
 * whether those objects were migrated first. Generated worlds put the
 * world's instances there, an author can ask for it (`worldInstance`), and
 * such worlds shrink, print and replay as data.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, update } from "../../src/index.js";
import {
  buildWorld,
  checkMigration,
  formatWorldSpec,
  worldInstance,
  worldModel,
  worldSpecArbitrary,
} from "../../src/testing/index.js";

const Account = { name: "Account", fields: [{ name: "balance", initializer: "0" }] };
const Bank = { name: "Bank", fields: [{ name: "accounts", initializer: "[]" }] };

// Right under eager migration only: lazily, the Accounts are migrated before the Bank reads them.
const total = patch("bank-v2")
  .renameField("Account", "balance", "amount")
  .addField("Bank", "total", { default: 0 })
  .migrate("Bank", (old, t) => {
    t.total = (old.accounts as { balance: number }[]).reduce((s, a) => s + a.balance, 0);
  })
  .build();

function isAccount(o: unknown): boolean {
  return typeof o === "object" && o !== null && "balance" in o;
}

describe("instances inside containers", () => {
  test("the migrator is wrong under lazy migration (a real update)", async () => {
    const totals: unknown[] = [];
    for (const policy of ["eager", "lazy"] as const) {
      const ns = new Namespace("n");
      const A = ns.defineClass(Account) as unknown as new (v: object) => object;
      const B = ns.defineClass(Bank) as unknown as new (v: object) => { total?: number };
      const a = new A({ balance: 10 });
      const b = new B({ accounts: [a] });
      const result = await update(ns, total, { policy });
      void (a as { amount?: number }).amount;
      result.completeMigration();
      totals.push(b.total);
    }
    expect(totals).toEqual([10, Number.NaN]);
  });

  test("generated empty arrays, Maps, Sets and objects sometimes hold the world's instances", () => {
    const Holder = {
      name: "Holder",
      fields: [
        { name: "list", initializer: "[]" },
        { name: "byName", initializer: "new Map()" },
        { name: "members", initializer: "new Set()" },
        { name: "table", initializer: "({})" },
      ],
    };
    const model = worldModel({ classes: [Account, Holder] });
    const found = { list: 0, mapValue: 0, mapKey: 0, members: 0, table: 0 };
    for (const spec of fc.sample(worldSpecArbitrary(model), { numRuns: 300, seed: 7 })) {
      for (const o of buildWorld(model, spec).instances as Record<string, unknown>[]) {
        if (!("list" in o)) continue;
        if ((o.list as unknown[]).some(isAccount)) found.list++;
        const map = o.byName as Map<unknown, unknown>;
        if ([...map.values()].some(isAccount)) found.mapValue++;
        if ([...map.keys()].some(isAccount)) found.mapKey++;
        if ([...(o.members as Set<unknown>)].some(isAccount)) found.members++;
        if (Object.values(o.table as object).some(isAccount)) found.table++;
      }
    }
    for (const count of Object.values(found)) expect(count).toBeGreaterThan(5);
  });

  test("the kit finds the lazy-only bug, shrinks it to a Bank holding one Account, and replays it", async () => {
    const options = { classes: [Account, Bank], seed: 1, numRuns: 200 };
    const report = await checkMigration(total, {
      ...options,
      properties: ["policy-independence"],
    });
    const outcome = report.properties.find((p) => p.name === "policy-independence")!;
    expect(outcome.status).toBe("failed");
    const counterexample = outcome.failure!.counterexampleText!;
    expect(counterexample).toMatch(/#\d Bank \{ accounts: \[→#\d\] \}/);
    // Printed as the spec, not as a live state differing from it.
    expect(counterexample).not.toContain("live state");
    const replayed = await checkMigration(total, {
      ...options,
      properties: ["policy-independence"],
      path: outcome.failure!.path!,
    });
    expect(replayed.properties[0]!.failure?.counterexampleText).toBe(counterexample);
  });

  test("worldInstance(class) puts only instances of that class (or its subclasses) in the container", () => {
    const Savings = { name: "Savings", superclass: "Account", fields: [] };
    const model = worldModel({ classes: [Account, Savings, Bank] });
    const arb = worldSpecArbitrary(model, {
      values: { Bank: { accounts: fc.array(worldInstance("Account"), { minLength: 1 }) } },
      minInstances: 2,
    });
    let held = 0;
    for (const spec of fc.sample(arb, { numRuns: 100, seed: 3 })) {
      const world = buildWorld(model, spec);
      for (const o of world.instances as Record<string, unknown>[]) {
        if (!("accounts" in o)) continue;
        const accounts = o.accounts as unknown[];
        expect(accounts.every((a) => world.instances.includes(a as object) && isAccount(a))).toBe(
          true,
        );
        held += accounts.length;
      }
      expect(formatWorldSpec(spec)).not.toContain("WorldRef");
    }
    expect(held).toBeGreaterThan(20);
  });

  test("a spec's values are left as they were by building it", () => {
    const model = worldModel({ classes: [Account, Bank] });
    const arb = worldSpecArbitrary(model, {
      values: { Bank: { accounts: fc.array(worldInstance("Account"), { minLength: 1 }) } },
      minInstances: 2,
    });
    fc.assert(
      fc.property(arb, (spec) => {
        const before = formatWorldSpec(spec);
        const a = buildWorld(model, spec).instances;
        const b = buildWorld(model, spec).instances;
        expect(formatWorldSpec(spec)).toBe(before);
        // Two builds, two worlds: no container is shared between them.
        a.forEach((o, i) => {
          const x = (o as { accounts?: unknown }).accounts;
          if (x !== undefined) expect(x).not.toBe((b[i] as { accounts?: unknown }).accounts);
        });
      }),
      { seed: 5, numRuns: 50 },
    );
  });
});
