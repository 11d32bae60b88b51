/**
 * Typed migrations at run time: they migrate, they check with the kit, and
 * what TypeScript cannot see (an excess field from `.all`) the engine
 * refuses. Their compile-time checks are in typedMigration.test-d.ts.
 */
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../src/index.js";
import { patch } from "../../src/index.js";
import { updateSync } from "../../src/index.js";
import { Namespace } from "../../src/index.js";
import type { DataFields } from "../../src/testing/index.js";
import { checkMigration, typedMigration } from "../../src/testing/index.js";

interface AccountV1 {
  owner: string;
  balance: number;
}
interface AccountV2 {
  owner: string;
  cents: number;
  status: "open" | "overdrawn";
}

const Account = {
  name: "Account",
  fields: [
    { name: "owner", initializer: '""' },
    { name: "balance", initializer: "0" },
  ],
};

const toCents = typedMigration<AccountV1, AccountV2>()({
  cents: (old) => Math.round(old.balance * 100),
  status: (old) => (old.balance < 0 ? "overdrawn" : "open"),
});

const v2 = patch("cents")
  .addField("Account", "cents", { default: 0 })
  .addField("Account", "status", { default: "open" })
  .migrate("Account", toCents)
  .removeField("Account", "balance")
  .build();

describe("typed migrations", () => {
  test("migrate live objects like any migrator", () => {
    const ns = new Namespace("bank");
    const A = ns.defineClass<Record<string, unknown>>(Account);
    const rich = new A({ owner: "r", balance: 12.5 });
    const poor = new A({ owner: "p", balance: -1 });
    updateSync(ns, v2);
    expect(rich).toEqual(expect.objectContaining({ owner: "r", cents: 1250, status: "open" }));
    expect(poor).toEqual(expect.objectContaining({ owner: "p", cents: -100, status: "overdrawn" }));
    expect(Object.keys(rich)).toEqual(["owner", "cents", "status"]);
  });

  test("derive() gives the new values alone", () => {
    expect(toCents.derive({ owner: "x", balance: 2 })).toEqual({ cents: 200, status: "open" });
  });

  test("pass the kit's properties, with a postcondition written against the typed old object", async () => {
    const report = await checkMigration(v2, {
      classes: [Account],
      postcondition: (old, now) => {
        const expected = toCents.derive(old as DataFields<AccountV1>);
        return (now.cents === expected.cents && now.status === expected.status) || "derived values";
      },
      numRuns: 200,
      seed: 3,
    });
    expect(report.ok).toBe(true);
    expect(report.properties.find((p) => p.name === "postcondition")!.status).toBe("passed");
  });

  test("`.all` derives the fields together", () => {
    const together = typedMigration<AccountV1, AccountV2>().all((old) => {
      const cents = Math.round(old.balance * 100);
      return { cents, status: cents < 0 ? "overdrawn" : "open" };
    });
    expect(together.derive({ owner: "x", balance: -0.5 })).toEqual({
      cents: -50,
      status: "overdrawn",
    });
  });

  test("an excess field TypeScript let through `.all` is refused by the update (the object would not conform)", () => {
    const ns = new Namespace("bank");
    const A = ns.defineClass<Record<string, unknown>>(Account);
    const a = new A({ owner: "o", balance: 1 });
    const sloppy = typedMigration<AccountV1, AccountV2>().all((old) => ({
      cents: old.balance * 100,
      status: "open",
      extra: true, // not a field of AccountV2: compiles, but is refused at update time
    }));
    const p = patch("sloppy")
      .addField("Account", "cents", { default: 0 })
      .addField("Account", "status", { default: "open" })
      .migrate("Account", sloppy)
      .removeField("Account", "balance")
      .build();
    expect(() => updateSync(ns, p)).toThrow(ValidationError);
    expect(Object.keys(a)).toEqual(["owner", "balance"]);
  });

  test("refuse what is not a derivation", () => {
    const build = typedMigration<AccountV1, AccountV2>();
    expect(() => build(null as unknown as Parameters<typeof build>[0])).toThrow(
      /object of derivations/,
    );
    expect(() =>
      build({ cents: 1, status: () => "open" } as unknown as Parameters<typeof build>[0]),
    ).toThrow(/derivation of field cents must be a function, got number/);
    expect(() => build.all(3 as unknown as Parameters<typeof build.all>[0])).toThrow(
      /expected a function/,
    );
  });
});
