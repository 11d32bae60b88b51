import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { updateSync } from "../../src/index.js";
import { collectGarbage, hasFastProperties } from "../support/v8.js";
import { type ItemV2, itemsV2, itemWorld } from "../support/lazyItems.js";

/** Keys and own property descriptors (an accessor by its kind, never read). */
const stateOf = (o: object) =>
  Object.entries(Object.getOwnPropertyDescriptors(o)).map(([k, d]) => [
    k,
    "value" in d ? d.value : "accessor",
    d.enumerable,
  ]);

/**
 * completeMigration() rewrites the pending objects of a plan without user
 * code in bulk (lazyBulk.ts), from the registry's list, which may hold an
 * object twice (`finder.record`). The pass must migrate each object exactly
 * once, leave first-touched ones alone, send objects with state of their
 * own to the per-object path, and, when one object cannot be migrated,
 * leave every object exactly as it was before the update.
 */
describe.each(["registry", "heap"] as const)("completeMigration in bulk (%s finder)", (finder) => {
  test("property: each object migrated once; a failure or a rollback restores every object exactly", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.option(fc.tuple(fc.constantFrom("frozen", "getter"), fc.nat()), { nil: undefined }),
        fc.boolean(),
        (n, touched, twice, extra, failure, rollBack) => {
          const { ns, items } = itemWorld(n, "lazy-bulk-property", finder);
          for (const t of twice) ns.finder.record(items[t % n]!);
          for (const e of extra) (items[e % n] as unknown as Record<string, unknown>).mine = e;
          const before = items.map(stateOf);
          const result = updateSync(ns, itemsV2());
          for (const t of touched) items[t % n]!.peek();
          if (failure) {
            const victim = items[failure[1] % n]!;
            const touchedVictim = Object.hasOwn(victim, "cost");
            if (!touchedVictim) {
              if (failure[0] === "frozen") Object.freeze(victim);
              else {
                // Read once by the pass's scan, then throws: the rewrite fails part-way.
                let reads = 0;
                const price = victim.price;
                Object.defineProperty(victim, "price", {
                  enumerable: true,
                  configurable: true,
                  get: () => {
                    if (reads++ > 0) throw new Error("second read");
                    return price;
                  },
                });
              }
              const after = items.map(stateOf);
              result.completeMigration();
              expect(result.state()).toBe("rolled-back");
              // Everything as before the update (the victim as the test left it).
              items.forEach((o, i) => {
                expect(stateOf(o)).toEqual(o === victim ? after[i] : before[i]);
              });
              return true;
            }
          }
          const done = result.completeMigration();
          expect(done.failed).toEqual([]);
          expect(done.migrated).toBe(n);
          expect(result.pendingInstances()).toBe(0);
          items.forEach((item, i) => {
            const o = item as unknown as ItemV2 & { mine?: number };
            const keys = Object.keys(o).filter((k) => k !== "mine");
            expect(keys).toEqual(["id", "cost", "note"]);
            expect(o.cost).toBe(i * 10);
            expect(o.peek()).toBe(i * 10);
            expect(Object.getOwnPropertySymbols(o)).toEqual([]);
          });
          if (rollBack) {
            result.rollback();
            items.forEach((o, i) => {
              expect(stateOf(o)).toEqual(before[i]);
              expect(hasFastProperties(o)).toBe(true);
            });
          }
          return true;
        },
      ),
      { seed: 1315, numRuns: finder === "heap" ? 8 : 150 },
    );
  });

  test("an own getter answering a new value at every read: the completion ends, each object migrated once", () => {
    const { ns, items } = itemWorld(6, "lazy-bulk-fickle", finder);
    let reads = 0;
    Object.defineProperty(items[2]!, "price", {
      enumerable: true,
      configurable: true,
      get: () => ++reads,
    });
    const result = updateSync(ns, itemsV2());
    expect(result.completeMigration()).toEqual({ migrated: 6, failed: [] });
    items.forEach((o, i) => {
      expect(Object.keys(o)).toEqual(["id", "cost", "note"]);
      if (i !== 2) expect((o as unknown as ItemV2).cost).toBe(i * 10);
    });
    expect((items[2] as unknown as ItemV2).cost).toBeGreaterThan(0);
  });

  test("an object listed twice in the registry is migrated once, and counted once", () => {
    const { ns, items } = itemWorld(10, "lazy-bulk-twice", finder);
    for (const o of items) ns.finder.record(o);
    const result = updateSync(ns, itemsV2());
    expect(result.completeMigration()).toEqual({ migrated: 10, failed: [] });
    items.forEach((o, i) => {
      expect(o).toEqual({ id: i, cost: i * 10, note: "n" });
    });
  });
});

describe("completeMigration and the program's own WeakRefs", () => {
  test("an object the program dereferenced earlier in the job stays alive until the job ends, however many objects the completion reads", () => {
    const { ns } = itemWorld(20_000, "lazy-bulk-kept");
    const result = updateSync(ns, itemsV2());
    // A temporary the program holds only weakly, dereferenced in this job: kept until the job ends (ECMAScript AddToKeptObjects).
    const ref = new WeakRef({ mine: true });
    expect(ref.deref()).toEqual({ mine: true });
    expect(result.completeMigration().migrated).toBe(20_000);
    collectGarbage();
    expect(ref.deref()).toEqual({ mine: true });
  });
});
