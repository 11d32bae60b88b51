/**
 * Objects the new version builds while a lazy or progressive update is
 * pending are branded at construction, as a first touch brands what it
 * migrates (lazyBrand.ts brandBuilt): the guards pass them on their fast
 * path, where a WeakSet entry made each call 14–44× a plain one (review
 * advY3 H3). They are listed nowhere, so whatever takes the guards off must
 * take their brands off too: the completion, the sweep, a rollback, and a
 * later update that completes this one and is then undone.
 */
import { describe, expect, test } from "vitest";
import { patch, updateSync } from "../../src/index.js";
import { itemWorld } from "../support/lazyItems.js";
import { hasFastProperties, haveSameMap } from "../support/v8.js";

type Finder = "registry" | "heap";
type Peek = { peek(expando?: string): number } & Record<string, unknown>;

/** v2 renames price to cost and adds note; its peek can add an expando. */
const v2 = (policy: "lazy" | "progressive" = "lazy") =>
  patch("v2")
    .renameField("Item", "price", "cost")
    .addField("Item", "note", { default: "n" })
    .replaceMethods("Item", {
      peek(this: Record<string, unknown>, expando?: string) {
        if (expando !== undefined) this[expando] = 1;
        return this.cost as number;
      },
    })
    .policy(policy)
    .build();

const v3 = () =>
  patch("v3")
    .addField("Item", "tag", { default: "t" })
    .replaceMethods("Item", {
      peek(this: Record<string, unknown>) {
        return (this.cost as number) + 1;
      },
    })
    .policy("lazy")
    .build();

const ownSymbols = (o: object) => Object.getOwnPropertySymbols(o).length;
const build = (Item: unknown, id: number) =>
  new (Item as new (init: object) => Peek)({ id, cost: id * 10 });

describe.each(["registry", "heap"] as Finder[])("objects built while pending (%s)", (finder) => {
  test("carry the brand, share a migrated object's hidden class, and lose it with the guards", () => {
    const { ns, Item, items } = itemWorld(4, `built-brand-${finder}`, finder);
    const result = updateSync(ns, v2());
    const built = [build(Item, 1), build(Item, 2)];
    built[1]!.peek("x"); // a property the program adds after the brand
    (items[0] as unknown as Peek).peek();
    expect(ownSymbols(built[0]!)).toBe(1);
    expect(haveSameMap(built[0]!, items[0]!)).toBe(true);
    expect(result.migratedSoFar()).toBe(1); // calls on them migrated nothing
    result.completeMigration();
    const fresh = build(Item, 9);
    const freshX = build(Item, 9);
    freshX.peek("x");
    for (const o of [...built, ...items]) {
      expect(ownSymbols(o)).toBe(0);
      expect(hasFastProperties(o)).toBe(true);
    }
    expect(haveSameMap(built[0]!, fresh)).toBe(true);
    expect(haveSameMap(items[2]!, fresh)).toBe(true);
    expect(haveSameMap(built[1]!, freshX)).toBe(true);
    expect(built.map((o) => o.peek())).toEqual([10, 20]);
    expect({ ...built[1] }).toEqual({ id: 2, cost: 20, note: "n", x: 1 });
  });

  test("a rollback puts them on the old layout, unbranded, on the old version's hidden class", () => {
    const { ns, Item, items } = itemWorld(3, `built-rollback-${finder}`, finder);
    const result = updateSync(ns, v2());
    const built = build(Item, 5);
    (items[0] as unknown as Peek).peek();
    result.rollback();
    expect(ownSymbols(built)).toBe(0);
    expect(hasFastProperties(built)).toBe(true);
    expect(Object.keys(built)).toEqual(["id", "price"]);
    expect(haveSameMap(built, items[1]!)).toBe(true);
    expect(haveSameMap(items[0]!, items[1]!)).toBe(true);
  });

  test("the sweep of a progressive update leaves no brand, on objects built before and during it", async () => {
    const { ns, Item, items } = itemWorld(64, `built-sweep-${finder}`, finder);
    const result = updateSync(ns, v2("progressive"), { sliceSize: 8 });
    const built = [build(Item, 1)]; // before the sweep's first slice
    await new Promise((resolve) => setImmediate(resolve));
    built.push(build(Item, 2));
    const done = await result.completion;
    expect(done.migrated).toBe(64);
    const fresh = build(Item, 9);
    for (const o of [...built, ...items]) {
      expect(ownSymbols(o)).toBe(0);
      expect(haveSameMap(o, fresh)).toBe(true);
    }
    expect(built.map((o) => o.peek())).toEqual([10, 20]);
  });

  test("a later update that completed this one, rolled back, leaves them migrated: not migrated again", () => {
    const { ns, Item, items } = itemWorld(3, `built-reopen-${finder}`, finder);
    const first = updateSync(ns, v2());
    const built = build(Item, 4);
    const second = updateSync(ns, v3());
    expect(ownSymbols(built)).toBe(0);
    second.rollback();
    // Reopened: the old objects are pending again, the one built meanwhile is not.
    expect(built.peek()).toBe(40);
    expect(Object.keys(built)).toEqual(["id", "cost", "note"]);
    expect(first.migratedSoFar()).toBe(0);
    expect((items[1] as unknown as Peek).peek()).toBe(10);
    expect(first.migratedSoFar()).toBe(1);
    first.completeMigration();
    expect(ownSymbols(built)).toBe(0);
    expect(haveSameMap(built, items[1]!)).toBe(true);
  });

  test("one the program froze keeps its brand (it cannot lose it) and completion goes on", () => {
    const { ns, Item } = itemWorld(2, `built-frozen-${finder}`, finder);
    const result = updateSync(ns, v2());
    const built = Object.freeze(build(Item, 3));
    expect(() => result.completeMigration()).not.toThrow();
    expect(result.pendingInstances()).toBe(0);
    expect(built.peek()).toBe(30);
  });
});
