/**
 * Instances of a class extending Map or Set (`class Registry extends Map`)
 * were generated empty, so a patch that loses or rewrites their entries
 * passed every property. Worlds now give them entries like a fresh
 * instance's (or, in a third of the draws, the world's own instances as
 * keys or values), put in with the instance's own `set` or `add`, and the
 * snapshots compare them.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import {
  checkMigration,
  compareSnapshots,
  formatMigrationReport,
  takeSnapshot,
  worldArbitrary,
} from "../../src/testing/index.js";

class Registry extends Map<unknown, unknown> {
  label = "";
}

class Tags extends Set<unknown> {
  owner = "";
}

class Member {
  name = "";
}

describe("worlds of Map and Set subclasses", () => {
  test("their instances hold entries, the world's instances among them", () => {
    const worlds = fc.sample(
      worldArbitrary({ classes: [Registry, Tags, Member] }, { minInstances: 1 }),
      { seed: 3, numRuns: 60 },
    );
    const held = worlds.flatMap((w) =>
      w.instances.flatMap((o) =>
        o instanceof Map ? [...o].flat() : o instanceof Set ? [...o] : [],
      ),
    );
    const sizes = worlds.flatMap((w) =>
      w.instances.flatMap((o) => (o instanceof Map || o instanceof Set ? [o.size] : [])),
    );
    expect(sizes.filter((n) => n > 0).length).toBeGreaterThan(sizes.length / 3);
    expect(held.some((v) => typeof v === "number" || typeof v === "string")).toBe(true);
    // An instance of the world, held as a key, a value or an element.
    expect(held.some((v) => worlds.some((w) => w.instances.includes(v as object)))).toBe(true);
  });

  test("a snapshot tells a Map subclass that lost its entries from the one it was", () => {
    const world = fc
      .sample(worldArbitrary({ classes: [Registry] }, { minInstances: 1 }), {
        seed: 4,
        numRuns: 20,
      })
      .find((w) => w.instances.some((r) => (r as Registry).size > 0));
    expect(world).toBeDefined();
    const before = takeSnapshot(world!.namespace, world!.instances);
    for (const r of world!.instances) (r as Registry).clear();
    expect(compareSnapshots(before, takeSnapshot(world!.namespace, world!.instances))).toMatch(
      /entries/,
    );
  });

  test("a patch whose hook drops a Registry's entries for good fails rollback, shrunk to one entry", async () => {
    // Seeded bug: an afterCommit hook "normalises" the registries and no afterRollback undoes it.
    const dropping = patch("dropping")
      .addField("Registry", "version", { default: 2 })
      .afterCommit("normalise", ({ instancesOf }) => {
        for (const r of instancesOf("Registry") as Registry[]) r.clear();
      })
      .build();
    const report = await checkMigration(dropping, {
      classes: [Registry],
      properties: ["rollback"],
      seed: 5,
      numRuns: 40,
    });
    const result = report.properties[0]!;
    expect(result.status, formatMigrationReport(report)).toBe("failed");
    expect(result.failure!.message).toMatch(/entries/);
    // Shrunk: one registry holding one entry.
    expect(result.failure!.counterexampleText).toMatch(
      /^#0 Registry \{[^\n]*\} holding new Map\(\[\[[^\n]*\]\]\)$/m,
    );
    expect(result.failure!.counterexampleText).not.toMatch(/#1 /);
  });

  test("a Set subclass whose hook rewrites its values fails rollback too", async () => {
    const rewriting = patch("rewriting")
      .addField("Tags", "version", { default: 2 })
      .afterCommit("lowercase", ({ instancesOf }) => {
        for (const t of instancesOf("Tags") as Tags[]) {
          const values = [...t];
          t.clear();
          for (const v of values) t.add(typeof v === "string" ? v.toLowerCase() : String(v));
        }
      })
      .build();
    const report = await checkMigration(rewriting, {
      classes: [Tags],
      properties: ["rollback"],
      seed: 6,
      numRuns: 40,
    });
    expect(report.properties[0]!.status, formatMigrationReport(report)).toBe("failed");
    expect(report.properties[0]!.failure!.counterexampleText).toMatch(/holding new Set\(\[/);
  });
});
