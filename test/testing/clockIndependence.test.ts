/**
 * Policy independence builds one world per policy, one after the other: a
 * value read from the clock (`createdAt = Date.now()`, `new Date()`) made
 * eager and lazy "disagree" on every class that stamps its objects — a
 * false alarm on day one. Differences that remain with one instant for all
 * worlds still fail: a migrator that reads another object through a
 * reference, which lazy migration has not migrated yet.
 */
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { checkMigration, formatMigrationReport } from "../../src/testing/index.js";

class Item {
  name = "";
}

class Node {
  name = "";
  next: Node | null = null;
}

const options = { properties: ["policy-independence" as const], minInstances: 1, numRuns: 30 };

describe("policy independence and the clock", () => {
  test("a new implementation whose initialisers read the clock passes", async () => {
    class ItemV2 {
      name = "";
      createdAt = Date.now();
      created = new Date();
      label = Date();
    }
    const stamped = patch("stamped").replaceImplementation("Item", ItemV2).build();
    const report = await checkMigration(stamped, { ...options, classes: [Item], seed: 11 });
    expect(report.ok, formatMigrationReport(report)).toBe(true);
  });

  test("an added field computed from the clock passes", async () => {
    const stamped = patch("stamped")
      .addField("Item", "migratedAt", { initial: () => Date.now() })
      .build();
    const report = await checkMigration(stamped, { ...options, classes: [Item], seed: 12 });
    expect(report.ok, formatMigrationReport(report)).toBe(true);
  });

  test("a migrator reading through a reference still fails, beside a clock-stamped field", async () => {
    const readsThrough = patch("reads-through")
      .renameField("Node", "name", "title")
      .addField("Node", "stamp", { initial: () => Date.now() })
      .addField("Node", "nextTitle", {
        initial: (old) => (old.next as { title?: string } | null)?.title,
      })
      .build();
    const report = await checkMigration(readsThrough, {
      ...options,
      classes: [Node],
      seed: 13,
      numRuns: 60,
    });
    const result = report.properties[0]!;
    expect(result.status, formatMigrationReport(report)).toBe("failed");
    expect(result.failure!.message).toMatch(/disagree/);
    expect(result.failure!.message).toContain("nextTitle");
    // The clock stood still for the worlds compared: every stamp is one instant.
    const stamps = new Set(result.failure!.message.match(/stamp: \d+/g));
    expect(stamps.size).toBe(1);
    // The real Date is back.
    expect(Date.now()).toBeGreaterThan(0);
    expect(new Date().getTime()).not.toBe(new Date(0).getTime());
    expect(globalThis.Date.name).toBe("Date");
  });
});
