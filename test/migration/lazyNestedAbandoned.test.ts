/**
 * A new method of the update (List.join) touches an object whose migration
 * touches the next one, and a migration further down fails. The update rolls
 * back; the new method must not go on over objects back on the old layout.
 * It did when a migrator in between caught the nested failure's error or
 * threw one of its own: the nested touch threw the abandoned error once, the
 * outer touches answered false, and join returned
 * "undefinedundefinedundefined" (review fixY1). Only new code above the
 * whole migration counts: new code the migration runs itself (an
 * initialiser calling a new method) still lets old code above it go on.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { MetamorphError, Namespace, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

interface ItemLike {
  str: string;
  next: ItemLike | null;
  readonly len: number;
  size(): number;
}

function world(label: string) {
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
  }
  class List {
    constructor(public head: Item | null = null) {}
    join(): string {
      let s = "";
      for (let n = this.head; n; n = n.next) if (n.len > 0) s += n.str;
      return s;
    }
  }
  const v2 = new Function(`"use strict";
    class Item { constructor(value, next = null) { this.value = value; this.next = next; }
      get len() { return this.value.length; } size() { return this.value.length; } }
    class List { constructor(head = null) { this.head = head; }
      join() { let s = ""; for (let n = this.head; n; n = n.next) if (n.len > 0) s += n.value; return s; } }
    return { Item, List };`)() as { Item: new () => object; List: new () => object };
  const ns = new Namespace(`lazy-nested-abandoned-${label}`, { instanceFinder: "registry" });
  const I = ns.registerClass(Item) as unknown as new (s: string, n?: ItemLike | null) => ItemLike;
  const L = ns.registerClass(List) as unknown as new (h: ItemLike | null) => { join(): string };
  return { ns, I, L, v2 };
}

test("property: a new method whose first touch fails further down throws, whatever the migrators in between do, and every object ends as it was", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 6 }),
      fc.nat(),
      fc.constantFrom("rethrows", "swallows", "throws another", "none"),
      fc.constantFrom("len", "size"),
      (n, k, how, via) => {
        const { ns, I, L, v2 } = world(`${how}-${via}`);
        let next: ItemLike | null = null;
        const items: ItemLike[] = [];
        for (let i = n - 1; i >= 0; i--) items.unshift((next = new I("w".repeat(i + 1), next)));
        const list = new L(items[0]!);
        const failing = "w".repeat(2 + (k % (n - 1))); // never the head
        const before = deepSnapshot({ ns, objects: [list, ...items] });
        const result = updateSync(
          ns,
          patch("r2")
            .replaceImplementation("Item", v2.Item, { renames: { value: "str" } })
            .replaceImplementation("List", v2.List)
            .migrate("Item", (old) => {
              if (old.str === failing) throw new Error(`cannot migrate ${failing}`);
              const after = old.next as ItemLike | null;
              if (how === "none" || after === null) return;
              try {
                void (via === "len" ? after.len : after.size());
              } catch (error) {
                if (how === "rethrows") throw error;
                if (how === "throws another") throw new Error("a migrator's own error");
              }
            })
            .build(),
          { policy: "lazy" },
        );
        let thrown: unknown;
        try {
          list.join();
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(MetamorphError);
        expect((thrown as MetamorphError).code).toBe("MM_MIGRATION_FAILED");
        expect((thrown as MetamorphError).details.abandoned).toBe("List.join");
        expect(result.state()).toBe("rolled-back");
        expect(
          snapshotDifference(before, deepSnapshot({ ns, objects: [list, ...items] })),
        ).toBeUndefined();
        // The old version answers again.
        expect(list.join()).toBe(items.map((i) => i.str).join(""));
      },
    ),
    { seed: 4711, numRuns: 60 },
  );
});
