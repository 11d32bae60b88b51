/**
 * A lazy migration that reads a field whose own getter calls a method of
 * another pending object migrates that one first, nested in its own. The
 * nested one took the log position the outer one had reserved: the outer
 * one's record overwrote it, and a rollback then put the nested object back
 * from the wrong record (its `price` came back as the old initialiser's 0,
 * its value lost). Each migration now takes its position once it is
 * prepared.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";
import { type ItemV2, itemsV2, itemWorld } from "../support/lazyItems.js";

test("property: objects migrated inside another's migration are rolled back exactly, and migrate to their own values", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 24 }),
      fc.array(fc.record({ at: fc.nat(), target: fc.nat(), enumerable: fc.boolean() }), {
        maxLength: 6,
      }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      (n, getters, touched, complete) => {
        const { ns, items } = itemWorld(n, "lazy-nested");
        // Getters on the first half call methods of the second half only (no cycle).
        const half = Math.ceil(n / 2);
        for (const { at, target, enumerable } of getters) {
          const object = items[at % half]! as unknown as Record<string, unknown>;
          if (Object.getOwnPropertyDescriptor(object, "price")?.get) continue;
          const other = items[half + (target % (n - half))]!;
          const price = object.price;
          Object.defineProperty(object, "price", {
            enumerable,
            configurable: true,
            get: () => {
              other.peek();
              return price;
            },
          });
        }
        const world = { ns, objects: items };
        const before = deepSnapshot(world);
        const result = updateSync(ns, itemsV2());
        for (const t of touched) items[t % n]!.peek();
        if (complete) result.completeMigration();
        for (const [i, item] of items.entries()) {
          if (Object.hasOwn(item, "price")) continue; // not migrated yet
          expect((item as unknown as ItemV2).cost).toBe(i * 10);
        }
        result.rollback();
        expect(snapshotDifference(before, deepSnapshot(world))).toBeUndefined();
        for (const [i, item] of items.entries()) expect(item.price).toBe(i * 10);
      },
    ),
    { seed: 8128, numRuns: 150 },
  );
});
