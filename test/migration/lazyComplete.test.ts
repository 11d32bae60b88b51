import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, update, updateSync } from "../../src/index.js";
import { type ItemV2, itemsV2, itemWorld } from "../support/lazyItems.js";

const world = (n: number, label: string) => itemWorld(n, `lazy-complete-${label}`);

/**
 * `completeMigration()` does not mark the objects it migrates one by one
 * (lazyCompletion.ts completeAll): the marks are written only if a guard runs
 * meanwhile. Here a getter on some objects' own field calls methods on other
 * objects of the same class — earlier ones (already migrated by the
 * completion) and later ones (not yet) — while the completion reads it: each
 * object must still be migrated exactly once, and a rollback must restore
 * every one of them.
 */
describe("completeMigration with guards reached meanwhile", () => {
  test("property: every object migrated exactly once, and a rollback restores all", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        (n, getters, touched, rollBack) => {
          const { ns, items } = world(n, "property");
          const seen: number[] = [];
          // Getters on the first half call methods of the second half only (no cycle).
          const half = Math.ceil(n / 2);
          for (const [at, target] of getters) {
            const object = items[at % half]! as unknown as Record<string, unknown>;
            if (Object.getOwnPropertyDescriptor(object, "price")?.get) continue;
            const other = items[half + (target % (n - half))]!;
            const id = object.id;
            // An own enumerable accessor in place of a field the migration moves.
            delete object.price;
            Object.defineProperty(object, "price", {
              enumerable: true,
              configurable: true,
              get: () => {
                seen.push(other.peek());
                return (id as number) * 10;
              },
            });
          }
          const result = updateSync(ns, itemsV2());
          for (const t of touched) items[t % n]!.peek();
          result.completeMigration();
          expect(result.pendingInstances()).toBe(0);
          for (const [i, item] of items.entries()) {
            const o = item as unknown as ItemV2;
            // Migrated once: the cost is the old price, the note is there once.
            expect(Object.keys(o).filter((k) => k === "note")).toEqual(["note"]);
            expect(o.cost).toBe(i * 10);
            expect("price" in o).toBe(false);
          }
          if (rollBack) {
            result.rollback();
            for (const [i, item] of items.entries()) {
              expect(Object.keys(item).sort()).toEqual(["id", "price"]);
              expect(item.price).toBe(i * 10);
            }
          }
          return true;
        },
      ),
      { seed: 2613, numRuns: 120 },
    );
  });

  test("objects migrated by the completion are reported migrated, none pending", () => {
    const { ns, items } = world(1000, "count");
    const result = updateSync(ns, itemsV2());
    for (let i = 0; i < 100; i++) items[i]!.peek();
    expect(result.migratedSoFar()).toBe(100);
    const done = result.completeMigration();
    expect(done).toEqual({ migrated: 1000, failed: [] });
    expect(result.pendingInstances()).toBe(0);
    expect(items.every((o) => (o as unknown as ItemV2).note === "n")).toBe(true);
  });
});

test.each(["lazy", "progressive"] as const)(
  "rolled back before its migration completed (%s), the completion rejects: it does not say no old object is left",
  async (policy) => {
    const ns = new Namespace(`completion-after-rollback-${policy}`);
    class Acc {
      constructor(public n: number) {}
    }
    const Handle = ns.registerClass(Acc) as unknown as new (n: number) => object;
    for (let i = 0; i < 500; i++) new Handle(i);
    const result = await update(ns, patch("v2").addField("Acc", "m", { default: 0 }).build(), {
      policy,
      sliceSize: 10,
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    result.rollback();
    if (policy === "lazy") result.completeMigration();
    await expect(result.completion).rejects.toMatchObject({
      code: "MM_ROLLBACK",
      message: expect.stringMatching(/was rolled back before its migration completed/),
    });
  },
);
