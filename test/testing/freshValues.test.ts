/**
 * Every generated value is fresh where it is used: an edge value drawn for
 * two instances, or in two runs, is two objects (as the user's arbitrary
 * would give), and a world built from a spec holds copies of its data — so
 * a migrator that changes its Map in place changes neither the spec nor the
 * next world, a correct reverse passes the round trip, and a counterexample
 * replays from its seed and path.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch } from "../../src/index.js";
import {
  buildWorld,
  checkMigration,
  compareSnapshots,
  reachableObjects,
  takeSnapshot,
  worldArbitrary,
  worldModel,
} from "../../src/testing/index.js";
import { copyValue } from "../../src/testing/world/copy.js";

class Doc {
  title = "";
  tags = new Map<string, number>();
}

const tags = fc
  .array(fc.tuple(fc.constantFrom("a", "b"), fc.nat(9)), { maxLength: 2 })
  .map((entries) => new Map(entries));
const values = { Doc: { tags } };

describe("edge values are made afresh", () => {
  test("no two instances of a world, and no two worlds, share a Map the arbitrary made", () => {
    const worlds = fc.sample(
      worldArbitrary({ classes: [Doc] }, { values, minInstances: 2, maxInstances: 4 }),
      { seed: 1, numRuns: 200 },
    );
    const seen = new Set<unknown>();
    for (const w of worlds) {
      const maps = w.instances.map((d) => (d as Doc).tags);
      expect(new Set(maps).size).toBe(maps.length);
      for (const m of maps) {
        expect(seen.has(m)).toBe(false);
        seen.add(m);
      }
    }
  });

  test("a correct reverse passes the round trip; one that drops entries fails it", async () => {
    const toEntries = patch("to-entries")
      .renameField("Doc", "tags", "tagList")
      .migrate("Doc", (old, d) => {
        d.tagList = [...(old.tags as Map<string, number>)];
      })
      .build();
    const back = (keep: number) =>
      patch("back")
        .renameField("Doc", "tagList", "tags")
        .migrate("Doc", (old, d) => {
          d.tags = new Map((old.tagList as [string, number][]).slice(0, keep));
        })
        .build();
    const options = { classes: [Doc], values, seed: 1, properties: ["round-trip" as const] };
    const ok = await checkMigration(toEntries, { ...options, reverse: back(99) });
    expect(ok.properties[0]!.status).toBe("passed");
    const bad = await checkMigration(toEntries, { ...options, reverse: back(0) });
    expect(bad.properties[0]!.status).toBe("failed");
  });
});

describe("counterexamples replay", () => {
  // Counts its visits in the old Map, in place: a fresh value never reaches 20 visits.
  const visits = patch("visits")
    .addField("Doc", "n", { default: 0 })
    .migrate("Doc", (old, d) => {
      const m = old.tags as Map<string, number>;
      m.set("visits", (m.get("visits") ?? 0) + 1);
      if (m.get("visits")! > 20) throw new Error("visits > 20");
      d.n = m.size;
    })
    .build();

  test("a migrator that changes its Map in place never sees what an earlier run left there", async () => {
    const report = await checkMigration(visits, {
      classes: [Doc],
      values,
      seed: 5,
      numRuns: 200,
      properties: ["totality"],
    });
    expect(report.properties[0]!.status).toBe("passed");
  });

  test("a failure found after in-place changes replays from its seed and path, with values the arbitrary can make (seeded)", async () => {
    // Throws when an entry reaches 9 after its increment: found, and only with values nat(9) gives.
    const bumps = patch("bumps")
      .addField("Doc", "n", { default: 0 })
      .migrate("Doc", (old, d) => {
        const m = old.tags as Map<string, number>;
        for (const [k, v] of m) m.set(k, v + 1);
        if ([...m.values()].some((v) => v > 9)) throw new Error("over 9");
        d.n = m.size;
      })
      .build();
    const options = { classes: [Doc], values, properties: ["totality" as const] };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1e6 }), async (seed) => {
        const report = await checkMigration(bumps, { ...options, seed, numRuns: 100 });
        const failure = report.properties[0]!.failure!;
        expect(report.properties[0]!.status).toBe("failed");
        const entries = [...failure.counterexampleText!.matchAll(/"[ab]",(\d+)/g)];
        expect(entries.length).toBeGreaterThan(0);
        for (const [, n] of entries) expect(Number(n)).toBeLessThanOrEqual(9);
        const again = await checkMigration(bumps, { ...options, seed, path: failure.path! });
        expect(again.properties[0]!.status).toBe("failed");
        expect(again.properties[0]!.failure!.counterexampleText).toBe(failure.counterexampleText);
      }),
      { seed: 3, numRuns: 5 },
    );
  });
});

describe("a world holds copies of its spec's data", () => {
  test("a copy equals its original and shares no object with it: Maps, Sets, Dates, typed arrays, boxes, null prototypes, sparse arrays (seeded)", () => {
    const ns = new Namespace("copies");
    const anything = fc.anything({
      withMap: true,
      withSet: true,
      withDate: true,
      withTypedArray: true,
      withBoxedValues: true,
      withNullPrototype: true,
      withSparseArray: true,
      withBigInt: true,
      withObjectString: true,
    });
    fc.assert(
      fc.property(anything, (value) => {
        const copy = copyValue(value);
        const before = takeSnapshot(ns, [{ value }]);
        expect(compareSnapshots(before, takeSnapshot(ns, [{ value: copy }]))).toBeUndefined();
        const originals = new Set(reachableObjects([{ value }]));
        for (const o of reachableObjects([{ value: copy }]).slice(1)) {
          expect(originals.has(o)).toBe(false);
        }
      }),
      { seed: 21, numRuns: 300 },
    );
  });

  test("building one spec twice gives two worlds; changing one changes neither the other nor the spec", () => {
    const model = worldModel({ classes: [Doc] });
    const tagsValue = new Map([["a", 1]]);
    const spec = {
      instances: [
        { className: "Doc", fields: { title: { value: "" }, tags: { value: tagsValue } } },
      ],
    };
    const one = buildWorld(model, spec).instances[0] as Doc;
    const two = buildWorld(model, spec).instances[0] as Doc;
    one.tags.set("b", 2);
    expect([...two.tags]).toEqual([["a", 1]]);
    expect([...tagsValue]).toEqual([["a", 1]]);
  });
});
