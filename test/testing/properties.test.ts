/**
 * Each property catches what it is about: patches whose migrators break
 * rollback, policy independence, composition or the no-op guarantee are
 * reported, by that property, with a shrunk counterexample.
 */
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import type { MigrationReport, PropertyName } from "../../src/testing/index.js";
import { checkMigration, formatMigrationReport, PROPERTY_NAMES } from "../../src/testing/index.js";

const SEED = 77;

const status = (report: MigrationReport) =>
  Object.fromEntries(report.properties.map((p) => [p.name, p.status]));
const failure = (report: MigrationReport, name: PropertyName) =>
  report.properties.find((p) => p.name === name)!.failure!;

const Item = {
  name: "Item",
  fields: [{ name: "label", initializer: '""' }, { name: "tags", initializer: "[]" }, "link"],
  methods: {
    describe(this: { label: string }) {
      return this.label;
    },
  },
};

describe("rollback", () => {
  test("a migrator that mutates old state out of the engine's reach breaks rollback, and only rollback finds it", async () => {
    const p = patch("tagged")
      .addField("Item", "count", { default: 0 })
      .migrate("Item", (old, target) => {
        // A named property on the live array: the engine puts back a held
        // container's elements and length, not what else is written on it.
        (old.tags as string[] & { migrated?: boolean }).migrated = true;
        target.count = (old.tags as string[]).length;
      })
      .build();
    const report = await checkMigration(p, { classes: [Item], numRuns: 100, seed: SEED });
    expect(status(report).rollback).toBe("failed");
    const f = failure(report, "rollback");
    expect(f.counterexample!.world.instances).toHaveLength(1);
    expect(f.message).toMatch(/the world is not as it was/);
    expect(f.message).toContain("migrated");
    expect(status(report).totality).toBe("passed");
  });

  test("a migrator that pushes onto a held array in place: the engine puts it back, and rollback passes", async () => {
    const p = patch("tagged")
      .addField("Item", "count", { default: 0 })
      .migrate("Item", (old, target) => {
        (old.tags as string[]).push("migrated");
        target.count = (old.tags as string[]).length;
      })
      .build();
    const report = await checkMigration(p, { classes: [Item], numRuns: 100, seed: SEED });
    expect(status(report).rollback).toBe("passed");
  });

  test("an ordinary patch survives every rollback scenario", async () => {
    const p = patch("renamed")
      .renameField("Item", "label", "title")
      .addField("Item", "n", { default: 1 })
      .build();
    const report = await checkMigration(p, {
      classes: [Item],
      numRuns: 150,
      seed: SEED,
      properties: ["rollback"],
    });
    expect(report.ok).toBe(true);
    expect(report.properties[0]!.runs).toBe(150);
  });
});

describe("policy independence", () => {
  test("a migrator that reads another object through a reference sees its old or new layout depending on the policy", async () => {
    const Node = { name: "Node", fields: [{ name: "name", initializer: '""' }, "next"] };
    const p = patch("next-name")
      .renameField("Node", "name", "title")
      .addField("Node", "nextTitle", { default: null })
      .migrate("Node", (old, target) => {
        const next = old.next as Record<string, unknown> | null | undefined;
        // Bug: the next node may already have been migrated (lazy), so `name` may be gone.
        target.nextTitle = typeof next === "object" && next !== null ? next.name : null;
      })
      .build();
    const report = await checkMigration(p, { classes: [Node], numRuns: 100, seed: SEED });
    expect(status(report)["policy-independence"]).toBe("failed");
    const f = failure(report, "policy-independence");
    expect(f.message).toMatch(/eager and (lazy|progressive) migration disagree/);
    expect(f.message).toContain("nextTitle");
    // Two nodes, the first migrated before the second reads it through `next`.
    const world = f.counterexample!.world;
    expect(world.instances.length).toBeGreaterThanOrEqual(1);
    expect(world.instances.length).toBeLessThanOrEqual(2);
    expect(Object.values(world.instances.at(-1)!.fields).some((v) => "ref" in v)).toBe(true);
    expect(status(report).totality).toBe("passed");
    expect(status(report).rollback).toBe("passed");
  });
});

describe("composition", () => {
  const Box = { name: "Box", fields: [{ name: "w", initializer: "0" }] };
  const addH = patch("add-h").addField("Box", "h", { default: 1 }).build();

  test("an initialiser that depends on the whole old object cannot be composed after a layout change", async () => {
    // The composition check is symbolic and does not know the hierarchy, so it
    // refuses: adding a field to Shape may change the old state of a Square,
    // which `count-fields` reads whole (combined: fields 1, one after the other: 2).
    const Shape = { name: "Shape", fields: [{ name: "w", initializer: "0" }] };
    const Square = { name: "Square", superclass: "Shape", fields: [] };
    const addId = patch("add-id").addField("Shape", "id", { default: 0 }).build();
    const countFields = patch("count-fields")
      .addField("Square", "fields", { initial: (old) => Object.keys(old).length })
      .build();
    const report = await checkMigration(addId, {
      classes: [Shape, Square],
      composeWith: countFields,
      numRuns: 50,
      seed: SEED,
      properties: ["composition"],
    });
    const f = failure(report, "composition");
    expect(f.message).toContain("add-id.andThen(count-fields) is refused: PatchConflictError");
    expect(f.message).toContain("changes the fields of Shape (it may be a superclass of Square)");
  });

  test("a patch that cannot follow (it names a field the first one renamed) is reported with the conflict", async () => {
    const rename = patch("rename-w").renameField("Box", "w", "width").build();
    const stale = patch("stale")
      .addField("Box", "area", { initial: (old) => (old.w as number) * 2 })
      .build();
    const report = await checkMigration(rename, {
      classes: [Box],
      composeWith: stale,
      numRuns: 20,
      seed: SEED,
      properties: ["composition"],
    });
    const result = report.properties[0]!;
    expect(result.status).toBe("failed");
    expect(result.runs).toBe(0);
    expect(result.failure!.message).toMatch(
      /rename-w\.andThen\(stale\) is refused: PatchConflictError/,
    );
    expect(result.failure!.counterexample).toBeUndefined();
  });

  test("patches that compose pass, with several patches to follow", async () => {
    const addD = patch("add-d").addField("Box", "d", { default: 2 }).build();
    const describeBox = patch("describe")
      .addMethods("Box", {
        describe(this: { w: number; h: number }) {
          return `${this.w}x${this.h}`;
        },
      })
      .build();
    const report = await checkMigration(addH, {
      classes: [Box],
      composeWith: [addD, describeBox],
      numRuns: 100,
      seed: SEED,
      properties: ["composition"],
    });
    expect(report.ok).toBe(true);
  });
});

describe("no-op", () => {
  test("a migrator that writes to an object of a class the patch does not migrate is caught", async () => {
    const Owner = { name: "Owner", fields: [{ name: "visits", initializer: "0" }] };
    const Pet = { name: "Pet", fields: [{ name: "name", initializer: '""' }, "owner"] };
    const p = patch("pet-tag")
      .addField("Pet", "tag", { default: "" })
      .migrate("Pet", (old) => {
        const owner = old.owner as { visits?: number } | undefined;
        if (typeof owner === "object" && owner !== null && "visits" in owner) owner.visits! += 1;
      })
      .build();
    const report = await checkMigration(p, {
      classes: [Owner, Pet],
      values: { Pet: { name: undefined } },
      numRuns: 100,
      seed: SEED,
      properties: ["no-op"],
    });
    const f = failure(report, "no-op");
    expect(f.message).toMatch(
      /instance #\d \(Owner\) belongs to a class the patch does not migrate, yet it changed/,
    );
    expect(f.message).toMatch(/visits: 0[\s\S]*visits: 1/);
    expect(f.counterexample!.world.instances.map((i) => i.className).sort()).toEqual([
      "Owner",
      "Pet",
    ]);
  });

  test("a patch that only replaces methods leaves every instance as it was", async () => {
    const p = patch("methods")
      .replaceMethods("Item", {
        describe(this: { label: string }) {
          return `item ${this.label}`;
        },
      })
      .build();
    const report = await checkMigration(p, {
      classes: [Item],
      numRuns: 100,
      seed: SEED,
      properties: ["no-op"],
    });
    expect(report.ok).toBe(true);
  });
});

describe("the report", () => {
  test("lists every property once, in order, with skip reasons; the text names each", async () => {
    const p = patch("plain").addField("Item", "n", { default: 0 }).build();
    const report = await checkMigration(p, { classes: [Item], numRuns: 10, seed: 5 });
    expect(report.properties.map((r) => r.name)).toEqual(PROPERTY_NAMES);
    expect(status(report)).toEqual({
      totality: "passed",
      validity: "passed",
      rollback: "passed",
      "policy-independence": "passed",
      composition: "skipped",
      "round-trip": "skipped",
      "no-op": "passed",
      postcondition: "skipped",
      workload: "skipped",
      "no-silent-loss": "passed",
    });
    const text = formatMigrationReport(report);
    expect(text).toContain("migration plain: every property holds (seed 5, 10 runs each)");
    expect(text).toContain("- round-trip: skipped, the patch declares no `reverse`");
    // Worlds with no instances check nothing for totality; the line counts the runs that did.
    expect(text).toMatch(/✓ totality \(10 runs, (\d+ checked something, )?\d+ ms\)/);
  });

  test("a patch that does not fit the classes fails every property at once, without runs", async () => {
    const p = patch("wrong").removeField("Item", "nope").build();
    const report = await checkMigration(p, {
      classes: [Item],
      numRuns: 10,
      seed: 5,
      properties: ["totality", "no-op"],
    });
    expect(report.ok).toBe(false);
    for (const r of report.properties) {
      expect(r.runs).toBe(0);
      expect(r.failure!.message).toMatch(
        /^the patch does not apply to these classes: InvalidPatchError/,
      );
    }
  });

  test("the same seed gives the same report", async () => {
    const p = patch("initial")
      .addField("Item", "first", { initial: (old) => (old.label as string)[0]!.toUpperCase() })
      .build();
    const a = await checkMigration(p, {
      classes: [Item],
      numRuns: 50,
      seed: 9,
      properties: ["totality"],
    });
    const b = await checkMigration(p, {
      classes: [Item],
      numRuns: 50,
      seed: 9,
      properties: ["totality"],
    });
    expect(a.properties[0]!.failure!.counterexampleText).toBe(
      b.properties[0]!.failure!.counterexampleText,
    );
    expect(a.properties[0]!.failure!.path).toBe(b.properties[0]!.failure!.path);
    expect(a.properties[0]!.runs).toBe(b.properties[0]!.runs);
  });
});
