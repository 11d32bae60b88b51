/**
 * Objects the program drops while an update is still revocable (review
 * advZ28 #1). `metamorph dev` keeps its last update revocable and makes it
 * permanent when the next one commits; a release waits for `metamorph
 * permanent`. The revocable update's migration log held every object it
 * migrated strongly, so the next update found the dropped ones too,
 * migrated and logged them in turn, and none was ever collected (300 live,
 * +50 dropped a step: 2,500 → 10,000 migrated over 200 steps). Once the
 * pause is over the log holds them weakly (src/migration/weakenedLog.ts),
 * and what a rollback restores of them — old values holding objects, a
 * general-path object's prepared migration — only as long as the object
 * lives, so dropped objects holding each other are collected too.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, type UpdateResult, updateSync } from "../../src/index.js";
import { graphSnapshot } from "../support/world.js";
import { collectGarbage } from "../support/v8.js";

type Policy = "eager" | "lazy" | "progressive";

/** Lets the log's weakening slices run, then collects: WeakRefs pin their targets until the job ends. */
async function settle(): Promise<void> {
  for (let k = 0; k < 4; k++) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 0));
  collectGarbage();
}

/**
 * Drops all but the last `keep` of `live`, remembering them weakly. A
 * function of its own: an async function's frame keeps its loop variable's
 * last value across awaits.
 */
function dropAllBut(keep: number, live: object[], dropped: WeakRef<object>[]): void {
  for (const o of live.splice(0, live.length - keep)) dropped.push(new WeakRef(o));
}

/** How many objects the update migrated, its migration over. */
async function migrated(result: UpdateResult, policy: Policy): Promise<number> {
  if (policy === "eager") return result.instancesMigrated;
  if (policy === "lazy") result.completeMigration();
  else await result.completion;
  return result.migratedSoFar();
}

describe.each([
  ["eager", "registry"],
  ["eager", "heap"],
  ["lazy", "registry"],
  ["progressive", "registry"],
  ["progressive", "heap"],
] as const)("%s updates, %s finder", (policy, finder) => {
  test("objects dropped while the previous update is revocable are collected, and the next updates do not migrate them", async () => {
    const ns = new Namespace(`dropped-${policy}-${finder}`, { instanceFinder: finder });
    const Item = ns.defineClass<{ a: number }>({
      name: "Item",
      fields: [{ name: "a", initializer: "0" }],
      methods: {},
    });
    const live: object[] = [];
    const dropped: WeakRef<object>[] = [];
    let previous: UpdateResult | undefined;
    const counts: number[] = [];
    for (let k = 1; k <= 8; k++) {
      for (let i = 0; i < 10; i++) live.push(new Item({ a: i }));
      dropAllBut(20, live, dropped);
      await settle();
      const p = patch(`p${k}`).policy(policy);
      const last = updateSync(
        ns,
        (k % 2 === 1
          ? p.addField("Item", `f${k}`, { default: k })
          : p.removeField("Item", `f${k - 1}`)
        ).build(),
      );
      counts.push(await migrated(last, policy));
      // As `metamorph dev` does: the newest stays revocable.
      previous?.makePermanent();
      previous = last;
    }
    await settle();
    // The last update holds the last step's dropped objects at most, weakly.
    expect(dropped.filter((ref) => ref.deref() !== undefined)).toEqual([]);
    // Each update migrates what the program holds (20), not what an earlier update kept.
    expect(counts.slice(1)).toEqual(counts.slice(1).map(() => 20));
    expect(live.map((o) => (o as { a: number }).a)).toEqual(live.map((_, i) => i % 10));
  });
});

test("dropped objects whose old fields hold each other are collected while the update is revocable", async () => {
  const ns = new Namespace("dropped-pairs", { instanceFinder: "registry" });
  const Node = ns.defineClass<{ peer: object | null }>({
    name: "Node",
    fields: [{ name: "peer", initializer: "null" }],
    methods: {},
  });
  const pair = () => {
    const a = new Node({ peer: null });
    const b = new Node({ peer: a });
    a.peer = b;
    return [a, b] as const;
  };
  const kept = pair();
  const refs = pair().map((o) => new WeakRef(o));
  // The rename's log keeps each object's old `peer`: the other of the pair.
  const result = updateSync(ns, patch("rename").renameField("Node", "peer", "partner").build());
  await settle();
  expect(refs.map((ref) => ref.deref())).toEqual([undefined, undefined]);
  result.rollback();
  expect(kept[0].peer).toBe(kept[1]);
  expect(kept[1].peer).toBe(kept[0]);
  expect(Object.keys(kept[0])).toEqual(["peer"]);
});

/**
 * Whatever the program dropped, a rollback after the log was weakened gives
 * every object it still holds exactly its state from before the update:
 * values, references, key order, prototypes.
 */
test("a rollback after the log was weakened restores the objects the program kept, exactly", async () => {
  const shapes = ["add", "rename", "remove", "migrator"] as const;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ dropped: fc.boolean(), extra: fc.boolean(), peer: fc.nat(40) }), {
        minLength: 1,
        maxLength: 30,
      }),
      fc.constantFrom(...shapes),
      fc.constantFrom<Policy>("eager", "lazy"),
      async (specs, shape, policy) => {
        const ns = new Namespace("dropped-rollback", { instanceFinder: "registry" });
        const Cell = ns.defineClass<{ n: number; peer: unknown }>({
          name: "Cell",
          fields: [
            { name: "n", initializer: "0" },
            { name: "peer", initializer: "null" },
          ],
          methods: {},
        });
        const cells = specs.map((spec, i) => new Cell({ n: i, peer: { plain: i } }));
        // References stay inside their group: what is dropped is unreachable.
        specs.forEach((spec, i) => {
          const group = specs.flatMap((s, j) => (s.dropped === spec.dropped ? [j] : []));
          if (spec.peer % 3 !== 0) cells[i]!.peer = cells[group[spec.peer % group.length]!];
          if (spec.extra) Object.assign(cells[i]!, { extra: `x${i}` });
        });
        const kept = cells.filter((_, i) => !specs[i]!.dropped);
        const gone = cells.filter((_, i) => specs[i]!.dropped).map((o) => new WeakRef(o));
        cells.length = 0;
        const before = graphSnapshot(kept);
        const p = patch(`p-${shape}`).policy(policy);
        const built = {
          add: () => p.addField("Cell", "m", { default: 1 }),
          rename: () => p.renameField("Cell", "peer", "partner"),
          remove: () => p.removeField("Cell", "peer"),
          migrator: () =>
            p.renameField("Cell", "n", "count").migrate("Cell", (old, target) => {
              target.count = (old.n as number) * 2;
            }),
        }[shape]();
        const result = updateSync(ns, built.build());
        if (policy === "lazy") result.completeMigration();
        await settle();
        expect(gone.filter((ref) => ref.deref() !== undefined)).toEqual([]);
        result.rollback();
        expect(graphSnapshot(kept)).toEqual(before);
      },
    ),
    { seed: 20261208, numRuns: 60 },
  );
});

/**
 * A later update's rollback reopens the earlier lazy update it completed
 * (lazyCompletion.ts `reopen`), whose log was weakened once complete: a
 * guard migrating an object then appends to the weakened log, and the old
 * values holding objects go to its WeakMap, from which the rewrite and a
 * later rollback read them.
 */
test.each(["lazy", "progressive"] as const)(
  "a weakened %s log reopened by a later rollback migrates and rolls back objects holding objects exactly",
  async (policy) => {
    const ns = new Namespace(`reopened-weak-${policy}`, { instanceFinder: "registry" });
    const Item = ns.defineClass<{ a: object; c: number; peek(): number }>({
      name: "Item",
      fields: [
        { name: "a", initializer: "null" },
        { name: "c", initializer: "0" },
      ],
      methods: {
        peek(this: { c: number }) {
          return this.c;
        },
      },
    });
    const held = Array.from({ length: 400 }, (_, i) => ({ v: i }));
    const items = held.map((a, i) => new Item({ a, c: i }));
    const u1 = patch("u1").renameField("Item", "a", "b").policy(policy).build();
    const first = updateSync(ns, u1, { sliceSize: 100 });
    for (const o of items.slice(0, 50)) o.peek();
    const second = updateSync(ns, patch("u2").renameField("Item", "c", "d").policy("lazy").build());
    await first.completion; // u2 completed u1
    await settle(); // u1's logs weakened
    second.rollback();
    expect(first.pendingInstances()).toBeGreaterThan(0);
    // Guards migrate them now, appending to u1's weakened log.
    expect(items.map((o) => o.peek())).toEqual(items.map((_, i) => i));
    await settle();
    expect(first.state()).toBe("committed");
    expect(items.map((o) => Object.keys(o).join())).toEqual(items.map(() => "b,c"));
    expect(items.every((o, i) => (o as unknown as { b: object }).b === held[i])).toBe(true);
    first.rollback();
    expect(items.map((o) => Object.keys(o).join())).toEqual(items.map(() => "a,c"));
    expect(items.every((o, i) => o.a === held[i] && o.c === i)).toBe(true);
  },
);
