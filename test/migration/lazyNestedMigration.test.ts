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
import { Namespace, patch, updateSync } from "../../src/index.js";
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

/**
 * Getters anywhere (a field the rewrite keeps in place, or one it moves),
 * cycles between objects, an initialiser that counts its runs and may
 * throw on one object: each object's initialiser runs once per migration,
 * no call recurses for ever, a completion that fails rolls every object
 * back exactly (one migrated inside another's rewrite during the
 * completion was left with the new field), and a nested record is never
 * overwritten by the outer object's reads.
 */
test("property: nested lazy migrations through getters, cycles included, with a failing initialiser: each initialiser runs once, a rollback is exact", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 12 }),
      fc.array(fc.record({ at: fc.nat(), target: fc.nat(), field: fc.constantFrom("a", "b") }), {
        maxLength: 6,
      }),
      fc.option(fc.nat(), { nil: undefined }),
      fc.array(fc.nat(), { maxLength: 4 }),
      fc.constantFrom("add", "renameAdd"),
      (n, getters, failAt, touched, shape) => {
        const ns = new Namespace("lazy-nested-cycles", { instanceFinder: "registry" });
        const Item = ns.registerClass(
          class Item {
            a: string;
            b: string;
            constructor(readonly i: number) {
              this.a = `a${i}`;
              this.b = `b${i}`;
            }
            peek() {
              return 1;
            }
          },
        );
        const items = Array.from({ length: n }, (_, i) => new Item(i));
        for (const { at, target, field } of getters) {
          const object = items[at % n]!;
          if (Object.getOwnPropertyDescriptor(object, field)?.get) continue;
          const other = items[target % n]!;
          let value = object[field];
          Object.defineProperty(object, field, {
            get: () => {
              other.peek();
              return value;
            },
            set: (v: string) => {
              value = v;
            },
            enumerable: true,
            configurable: true,
          });
        }
        const world = { ns, objects: items };
        const before = deepSnapshot(world);
        const runs = new Map<number, number>();
        let p = patch("p");
        if (shape === "renameAdd") p = p.renameField("Item", "b", "z");
        p = p.addField("Item", "m", {
          initial: (old) => {
            const i = old.i as number;
            runs.set(i, (runs.get(i) ?? 0) + 1);
            if (failAt !== undefined && i === failAt % n) throw new Error(`no ${i}`);
            return i;
          },
        });
        const result = updateSync(ns, p.policy("lazy").build());
        for (const t of touched) {
          try {
            items[t % n]!.peek();
          } catch {
            // a failure at a first touch with new code above: the update rolled back
          }
        }
        result.completeMigration();
        expect([...runs.values()].every((count) => count === 1)).toBe(true);
        if (failAt !== undefined) {
          expect(result.state()).toBe("rolled-back");
          expect(snapshotDifference(before, deepSnapshot(world))).toBeUndefined();
        } else {
          expect(result.state()).toBe("committed");
          expect(items.map((o) => (o as unknown as { m: number }).m)).toEqual(
            items.map((_, i) => i),
          );
          result.rollback();
          expect(snapshotDifference(before, deepSnapshot(world))).toBeUndefined();
        }
      },
    ),
    { seed: 4242, numRuns: 200 },
  );
});

test.each(["an update", "completeMigration()"] as const)(
  "%s started by code a first touch runs (an own getter read on the compiled path) is refused MM_NESTED_UPDATE; the object keeps its value (advZ5)",
  (action) => {
    const ns = new Namespace(`nested-from-getter-${action}`);
    class Item {
      constructor(
        public id: number,
        public a = `a${id}`,
      ) {}
      getA(): string {
        return this.a;
      }
    }
    const Handle = ns.registerClass(Item) as unknown as new (id: number) => Item;
    const [x, y] = [new Handle(3), new Handle(4)];
    let onRead: (() => void) | undefined;
    let value = "a3";
    Object.defineProperty(x, "a", {
      enumerable: true,
      configurable: true,
      get() {
        const run = onRead;
        onRead = undefined;
        run?.();
        return value;
      },
      set(v: string) {
        value = v;
      },
    });
    const first = updateSync(
      ns,
      patch("v2")
        .renameField("Item", "a", "aa")
        .replaceMethods("Item", {
          getA(this: { aa: string }) {
            return this.aa;
          },
        })
        .build(),
      { policy: "lazy" },
    );
    let refused: unknown;
    onRead = () => {
      try {
        if (action === "completeMigration()") first.completeMigration();
        else updateSync(ns, patch("v3").addField("Item", "c", { default: 0 }).build());
      } catch (error) {
        refused = error;
      }
    };
    // Was: not refused; the nested migration migrated x again, and its value was lost.
    expect(x.getA()).toBe("a3");
    expect((refused as { code?: string }).code).toBe("MM_NESTED_UPDATE");
    expect([x.getA(), y.getA(), ns.version]).toEqual(["a3", "a4", 2]);
  },
);

test.each(["lazy", "progressive"] as const)(
  "rollback() called by a migrator mid-migration is refused MM_NESTED_UPDATE; the update goes on, each object on one version (%s, review advW2)",
  (policy) => {
    const ns = new Namespace(`rollback-from-migrator-${policy}`);
    const C = ns.defineClass<{ id: number; m(): string }>({
      name: "C",
      fields: [{ name: "id", initializer: "0" }],
      methods: {
        m(this: { id: number }) {
          return `v1 id=${this.id}`;
        },
      },
    });
    const objects = [0, 1, 2].map((id) => new C({ id }));
    let result: ReturnType<typeof updateSync> | undefined;
    let refused: unknown;
    result = updateSync(
      ns,
      patch("v2")
        .renameField("C", "id", "ident")
        .migrate("C", (old) => {
          if (old.id !== 1) return;
          try {
            result!.rollback();
          } catch (error) {
            refused = error;
          }
        })
        .replaceMethods("C", {
          m(this: { ident: number }) {
            return `v2 ident=${this.ident}`;
          },
        })
        .build(),
      { policy },
    );
    // Was: the rollback went through, and the object being migrated ended
    // on the new layout (with a brand left on it) under the old methods.
    expect(objects[1]!.m()).toBe("v2 ident=1");
    expect((refused as { code?: string }).code).toBe("MM_NESTED_UPDATE");
    expect(result.state()).toBe("committed");
    result.rollback();
    expect(objects.map((o) => o.m())).toEqual(["v1 id=0", "v1 id=1", "v1 id=2"]);
    expect(objects.map((o) => Reflect.ownKeys(o))).toEqual([["id"], ["id"], ["id"]]);
  },
);

test("rollback() of an earlier update called by a later update's migrator is refused MM_NESTED_UPDATE (review advW4)", () => {
  const ns = new Namespace("rollback-from-later-migrator");
  const C = ns.defineClass<{ n: number; get(): string }>({
    name: "C",
    fields: [{ name: "n", initializer: "0" }],
    methods: {
      get(this: { n: number }) {
        return `v1:${this.n}`;
      },
    },
  });
  const o = new C({ n: 7 });
  const first = updateSync(
    ns,
    patch("v2")
      .addField("C", "k", { default: 5 })
      .replaceMethods("C", {
        get(this: { k: number }) {
          return `v2:${this.k}`;
        },
      })
      .build(),
  );
  let refused: unknown;
  updateSync(
    ns,
    patch("v3")
      .addField("C", "w", { default: 0 })
      .migrate("C", () => {
        try {
          first.rollback();
        } catch (error) {
          refused = error;
        }
      })
      .build(),
  );
  // Was: the rollback went through, then v3 committed over it: v2's field under v1's version number.
  expect((refused as { code?: string }).code).toBe("MM_NESTED_UPDATE");
  expect([first.state(), JSON.stringify(o), o.get()]).toEqual([
    "committed",
    '{"n":7,"k":5,"w":0}',
    "v2:5",
  ]);
});
