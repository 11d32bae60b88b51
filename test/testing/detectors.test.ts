/**
 * Issue 16, item 4: every property's detector is shown to fire. Each test
 * seeds one bug into a patch (or its reverse, follow-up, validation or
 * postcondition) and checks that the property meant to catch it fails, with
 * the message of the branch that caught it.
 */
import { describe, expect, test } from "vitest";
import { patch } from "../../src/patch/builder.js";
import type {
  CheckMigrationOptions,
  PropertyFailure,
  PropertyName,
} from "../../src/testing/index.js";
import { checkMigration, formatMigrationReport } from "../../src/testing/index.js";
import type { Patch } from "../../src/patch/patch.js";

const Account = {
  name: "Account",
  fields: [
    { name: "owner", initializer: '""' },
    { name: "balance", initializer: "0" },
    { name: "history", initializer: "[]" },
  ],
};
const Note = { name: "Note", fields: [{ name: "text", initializer: '""' }] };

async function failure(
  p: Patch,
  name: PropertyName,
  options: Partial<CheckMigrationOptions> = {},
): Promise<PropertyFailure> {
  const report = await checkMigration(p, {
    classes: [Account, Note],
    numRuns: 60,
    seed: 99,
    ...options,
    properties: [name],
  } as CheckMigrationOptions);
  const result = report.properties[0]!;
  expect(result.status, formatMigrationReport(report)).toBe("failed");
  return result.failure!;
}

describe("each property catches its seeded bug", () => {
  test("totality: a migrator that throws on a zero balance, shown at its line", async () => {
    const p = patch("ratio")
      .migrate("Account", (old, a) => {
        if (old.balance === 0) throw new Error("no balance to split");
        a.balance = old.balance;
      })
      .build();
    const f = await failure(p, "totality");
    expect(f.message).toContain("no balance to split");
    expect(f.message).toMatch(/\n {4}at test\/testing\/detectors\.test\.ts:\d+:\d+/);
  });

  test("validity: a validation that changes its mind (it counts its calls) lets the update through, then does not hold", async () => {
    let calls = 0;
    const p = patch("fickle")
      .addField("Account", "cents", { default: 0 })
      .validate("fickle", () => ++calls % 2 === 1 || "checked twice")
      .build();
    const f = await failure(p, "validity", { classes: [Account] });
    expect(f.message).toContain('validation "fickle" let the update through but does not hold');
  });

  test("validity: a validation that throws refuses the update, shown at the validation's line", async () => {
    const p = patch("initials")
      .validateInstances("owner has an initial", "Account", (a) => {
        return (a.owner as string)[0]!.toUpperCase() !== "" || "no initial";
      })
      .build();
    const f = await failure(p, "validity", { classes: [Account] });
    expect(f.message).toContain('validation "owner has an initial" of Account instance #0 threw');
    expect(f.message).toMatch(/\n {4}at test\/testing\/detectors\.test\.ts:\d+:\d+/);
  });

  test("rollback: an initialiser that pushes into the old object's history array changes the world a rolled-back update should leave alone", async () => {
    const p = patch("audited")
      .addField("Account", "audited", {
        default: false,
        initial: (old) => {
          (old.history as unknown[]).push("audited");
          return true;
        },
      })
      .build();
    const f = await failure(p, "rollback");
    expect(f.message).toMatch(/but the world is not as it was/);
    expect(f.message).toContain('"audited"');
  });

  test("policy independence: a migrator that reads another object through a reference throws only when that object was migrated first", async () => {
    const Node = {
      name: "Node",
      fields: [
        { name: "title", initializer: '""' },
        { name: "next", initializer: "null" },
      ],
    };
    const p = patch("names")
      .renameField("Node", "title", "name")
      .addField("Node", "nextName", { default: "" })
      .migrate("Node", (old, n) => {
        const next = old.next as { title: string } | null;
        n.nextName = next === null ? "" : next.title.toUpperCase();
      })
      .build();
    const f = await failure(p, "policy-independence", { classes: [Node] });
    expect(f.message).toMatch(
      /eager: (committed|a migrator threw); (lazy|progressive): (a migrator threw|committed)/,
    );
  });

  test("composition: an initialiser that is not a function of the old state (it counts its calls) gives the composed update other values", async () => {
    let stamps = 0;
    const stamped = patch("stamped")
      .addField("Account", "stamp", { default: 0, initial: () => ++stamps })
      .build();
    const seen = patch("seen").addField("Note", "seen", { default: false }).build();
    const f = await failure(stamped, "composition", { composeWith: seen, minInstances: 1 });
    expect(f.message).toContain("stamped then seen differs from stamped + seen");
    expect(f.message).toMatch(/one after the other: .*stamp: \d+/);
  });

  test("round trip: a reverse that forgets to restore the balance it renamed", async () => {
    const forward = patch("rename").renameField("Account", "balance", "amount").build();
    const back = patch("rename-back")
      .removeField("Account", "amount")
      .addField("Account", "balance", { default: 0 })
      .build();
    const f = await failure(forward, "round-trip", { classes: [Account], reverse: back });
    expect(f.message).toContain("the reverse does not give the old state back");
  });

  test("round trip: a reverse that does not apply after the patch is reported as refused", async () => {
    const forward = patch("rename").renameField("Account", "balance", "amount").build();
    const back = patch("wrong-back").renameField("Account", "cents", "balance").build();
    const f = await failure(forward, "round-trip", { classes: [Account], reverse: back });
    expect(f.message).toContain("the reverse wrong-back was refused after rename");
  });

  test("no-op: a migrator of Holder that writes into a Note it reaches", async () => {
    const Holder = { name: "Holder", fields: [{ name: "link", initializer: "null" }] };
    const p = patch("tag-notes")
      .migrate("Holder", (old) => {
        const note = old.link as unknown;
        if (typeof note === "object" && note !== null && "text" in note) {
          (note as { text: string }).text = "seen";
        }
      })
      .build();
    const f = await failure(p, "no-op", { classes: [Holder, Note] });
    expect(f.message).toMatch(/belongs to a class the patch does not migrate, yet it changed/);
  });

  test("postcondition: a relation that throws (a failed expectation) is reported at its line", async () => {
    const p = patch("cents")
      .addField("Account", "cents", { default: 0 })
      .migrate("Account", (old, a) => {
        a.cents = Math.max(0, (old.balance as number) * 100);
      })
      .build();
    const f = await failure(p, "postcondition", {
      classes: [Account],
      postcondition: (old, now) => {
        if (now.cents !== (old.balance as number) * 100)
          throw new Error(`cents ${String(now.cents)}`);
        return true;
      },
    });
    expect(f.message).toContain("the postcondition threw on instance #0");
    expect(f.message).toMatch(/\n {4}at test\/testing\/detectors\.test\.ts:\d+:\d+/);
  });

  test("honest passes: a migrator that throws on most worlds leaves the other properties too few checked runs, and they fail (or warn)", async () => {
    const p = patch("picky")
      .addField("Account", "cents", { default: 0 })
      .migrate("Account", (old, a) => {
        if (old.owner !== "exactly this owner") throw new Error("not this one");
        a.cents = 1;
      })
      .build();
    const options = {
      classes: [Account],
      minInstances: 1,
      postcondition: () => true,
      numRuns: 40,
      seed: 4,
      properties: ["validity", "postcondition"] as PropertyName[],
    };
    const failing = await checkMigration(p, options);
    for (const r of failing.properties) {
      expect(r.status).toBe("failed");
      expect(r.failure!.message).toMatch(
        /^only 0 of 40 runs checked something \(a migrator threw: 40\)/,
      );
    }
    const warned = await checkMigration(p, { ...options, vacuity: "warn" });
    for (const r of warned.properties) {
      expect(r).toMatchObject({
        status: "passed",
        checked: 0,
        vacuous: { "a migrator threw": 40 },
      });
    }
    expect(formatMigrationReport(warned)).toContain("✓ validity (40 runs, 0 checked something");
    expect(formatMigrationReport(warned)).toContain("⚠ only 0 of 40 runs checked something");
  });
});
