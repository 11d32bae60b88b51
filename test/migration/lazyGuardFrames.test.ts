/**
 * A lazy first touch that fails reads the stack to tell whether new code of
 * the update is running above it (newCodeOnStack.ts). A guard further down
 * whose slow path is still running (its migrator touched this object) has
 * not run its member yet: it is no new code. Dressed as its member
 * (guardShapes.ts), its frame read as that member (`Item.len`), so a
 * migrator that touched the next object, entered from the program's own
 * loop, got "abandoned because new code (Item.len) was running" instead of
 * the old version's answer, and under a new method (`List.join`) the error
 * named the guard instead of the method.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { type MetamorphError, Namespace, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

type Via = "getter" | "method" | "setter";

interface ItemLike {
  str: string;
  next: ItemLike | null;
  readonly len: number;
  size(): number;
  label: string;
}

let worlds = 0;

function world() {
  class Item {
    constructor(
      public str: string,
      public next: Item | null = null,
    ) {}
    get len(): number {
      return this.str.length;
    }
    size(): number {
      return this.str.length;
    }
    get label(): string {
      return this.str;
    }
    set label(s: string) {
      this.str = s;
    }
  }
  class List {
    constructor(public head: Item | null = null) {}
    join(): string {
      let s = "";
      for (let n = this.head; n; n = n.next) s += n.str + n.len;
      return s;
    }
  }
  const v2 = new Function(`"use strict";
    class Item {
      constructor(value, next = null) { this.value = value; this.next = next; }
      get len() { return this.value.length; }
      size() { return this.value.length; }
      get label() { return this.value; }
      set label(s) { this.value = s; }
    }
    class List {
      constructor(head = null) { this.head = head; }
      join() { let s = ""; for (let n = this.head; n; n = n.next) s += n.value + n.len; return s; }
    }
    return { Item, List };`)() as { Item: new () => object; List: new () => object };
  const ns = new Namespace(`lazy-guard-frames-${worlds++}`, { instanceFinder: "registry" });
  const I = ns.registerClass(Item) as unknown as new (s: string, n?: ItemLike | null) => ItemLike;
  const L = ns.registerClass(List) as unknown as new (h?: ItemLike | null) => { join(): string };
  return { ns, I, L, v2 };
}

/** Touches `item` through a guard of each kind, answering its old length. */
function touch(item: ItemLike, via: Via): number {
  if (via === "getter") return item.len;
  if (via === "method") return item.size();
  item.label = item.str; // a field read (no guard), then the setter's guard
  return item.str.length;
}

/**
 * Items `a0`, `a1`… chained; each migration touches the next item through
 * `inner` and records what it saw; the item at `failing` cannot migrate.
 */
function nested(n: number, failing: number, inner: Via) {
  const { ns, I, L, v2 } = world();
  let head: ItemLike | null = null;
  for (let i = n - 1; i >= 0; i--) head = new I(`a${i}`.padEnd(i + 2, "x"), head);
  const items: ItemLike[] = [];
  for (let item = head; item; item = item.next) items.push(item);
  const list = new L(head);
  const seen: unknown[] = [];
  const before = deepSnapshot({ ns, objects: [list, ...items] });
  const result = updateSync(
    ns,
    patch("r2")
      .replaceImplementation("Item", v2.Item, { renames: { value: "str" } })
      .replaceImplementation("List", v2.List)
      .migrate("Item", (old) => {
        if (old.str === items[failing]!.str) throw new Error(`cannot migrate ${old.str}`);
        const next = old.next as ItemLike | null;
        if (!next) return;
        try {
          seen.push(touch(next, inner));
        } catch (error) {
          seen.push({ abandoned: (error as MetamorphError).details?.abandoned });
        }
      })
      .build(),
    { policy: "lazy" },
  );
  const unchanged = () =>
    snapshotDifference(before, deepSnapshot({ ns, objects: [list, ...items] }));
  return { items, list, seen, result, unchanged };
}

const vias = fc.constantFrom<Via>("getter", "method", "setter");

test("property: a migration nested in a first touch from old code sees the old version's answers, never an abandoned call", () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 5 }), fc.nat(), vias, vias, (n, k, outer, inner) => {
      const failing = 1 + (k % (n - 1));
      const { items, seen, result, unchanged } = nested(n, failing, inner);
      // The program's own touch of the head: old code.
      expect(touch(items[0]!, outer)).toBe(items[0]!.str.length);
      expect(result.state()).toBe("rolled-back");
      // Each migration from the head to the failing item's touched the next one.
      expect(seen).toEqual(
        items
          .slice(1, failing + 1)
          .map((item) => item.str.length)
          .reverse(),
      );
      expect(unchanged()).toBeUndefined();
    }),
    { seed: 4242, numRuns: 60 },
  );
});

test("property: under a new method, the nested touch's error names that method, not a guard below it", () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 5 }), fc.nat(), vias, (n, k, inner) => {
      const failing = 1 + (k % (n - 1));
      const { list, seen, result } = nested(n, failing, inner);
      try {
        list.join();
      } catch {
        // What the call itself does then is lazyCompletion.ts's, not asserted here.
      }
      expect(result.state()).toBe("rolled-back");
      // The migration that touched the failing item was told which new
      // code runs above it, and no migration was told of a guard.
      const told = seen.filter((s) => typeof s !== "number");
      expect(told.length).toBeGreaterThan(0);
      expect(told).toEqual(told.map(() => ({ abandoned: "List.join" })));
    }),
    { seed: 4343, numRuns: 40 },
  );
});
