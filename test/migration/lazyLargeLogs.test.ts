/**
 * Lazy and progressive updates of more objects than one log segment
 * (16,384, lazyCompletion.ts SEGMENT) and one brand chunk (8,192,
 * chunkedList.ts) hold: what they record one object at a time is split so
 * that no append copies megabytes (a block the progressive sweep could not
 * bound). A rollback must still put every object back exactly, whichever
 * segment it went into, also after an earlier update was reopened.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

const N = 40_000;

interface Item {
  a: number;
  c: number;
  peek(): number;
}

function world(name: string) {
  const ns = new Namespace(name);
  const Item = ns.defineClass<Item>({
    name: "Item",
    fields: [
      { name: "a", initializer: "0" },
      { name: "c", initializer: "0" },
    ],
    methods: {
      peek(this: { c: number }) {
        return this.c;
      },
    },
  });
  const items = Array.from({ length: N }, (_, i) => new Item({ a: i, c: i * 10 }));
  return { ns, items };
}

/** Own state as a string: keys (symbols included, so a brand left shows), values, prototype. */
const own = (o: object) =>
  `${Reflect.ownKeys(o)
    .map((k) => `${String(k)}=${String((o as Record<string | symbol, unknown>)[k])}`)
    .join()}|${Object.getPrototypeOf(o) === null}`;

const mismatches = (items: readonly object[], before: readonly string[]) =>
  items.flatMap((o, i) => (own(o) === before[i] ? [] : [i])).slice(0, 5);

/** A shuffled prefix of 0..N-1 (Fisher–Yates with fast-check's random). */
const touchOrder = fc
  .tuple(fc.integer({ min: 17_000, max: N }), fc.array(fc.nat(), { minLength: N, maxLength: N }))
  .map(([count, draws]) => {
    const order = Array.from({ length: N }, (_, i) => i);
    for (let i = N - 1; i > 0; i--) {
      const j = draws[i]! % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order.slice(0, count);
  });

describe("lazy updates across log segments and brand chunks", () => {
  test("a rollback after first touches in any order restores every object exactly", () => {
    let run = 0;
    fc.assert(
      fc.property(touchOrder, (order) => {
        const { ns, items } = world(`large-lazy-${run++}`);
        const before = items.map(own);
        // `a` is dropped: only the logs hold its values for the rollback.
        const result = updateSync(
          ns,
          patch("u")
            .removeField("Item", "a")
            .addField("Item", "b", { default: 7 })
            .policy("lazy")
            .build(),
        );
        for (const i of order) expect(items[i]!.peek()).toBe(i * 10);
        expect(Object.keys(items[order[order.length - 1]!]!)).toEqual(["c", "b"]);
        expect(result.pendingInstances()).toBe(N - order.length);
        result.rollback();
        expect(mismatches(items, before)).toEqual([]);
      }),
      { seed: 16_384, numRuns: 4 },
    );
  });

  test("an earlier update reopened by a later one's rollback goes on into the right segment", () => {
    const { ns, items } = world("large-reopen");
    const before = items.map(own);
    const first = updateSync(
      ns,
      patch("u1")
        .removeField("Item", "a")
        .addField("Item", "b", { default: 7 })
        .policy("lazy")
        .build(),
    );
    for (let i = 0; i < 20_000; i++) items[i]!.peek(); // two segments, the second partly filled
    const second = updateSync(ns, patch("u2").renameField("Item", "c", "d").policy("lazy").build());
    second.rollback();
    expect(first.pendingInstances()).toBe(N - 20_000);
    for (let i = 20_000; i < N; i++) expect(items[i]!.peek()).toBe(i * 10);
    expect(Object.keys(items[N - 1]!)).toEqual(["c", "b"]);
    first.rollback();
    expect(mismatches(items, before)).toEqual([]);
  });

  test("a progressive sweep migrates and unbrands every object, and its rollback restores them", async () => {
    const { ns, items } = world("large-progressive");
    const before = items.map(own);
    const result = updateSync(
      ns,
      patch("u")
        .removeField("Item", "a")
        .addField("Item", "e", { default: 1 })
        .policy("progressive")
        .build(),
    );
    const done = await result.completion;
    expect(done.migrated).toBe(N);
    // Every brand is off (no symbol left), every object on the new layout.
    const odd = items.filter((o) => Reflect.ownKeys(o).join() !== "c,e");
    expect(odd.length).toBe(0);
    result.rollback();
    expect(mismatches(items, before)).toEqual([]);
  });
});
