/**
 * A lazy or progressive update cannot see objects built after its commit by
 * code that does not pass through the handles — a subclass constructed with
 * its own class, whose `super()` reaches the base class's new version
 * directly — and took them for old objects: the migrator ran over a fresh
 * object (`price` recomputed from a `cents` it never had: NaN), where an
 * eager update left it alone. They are told apart by their layout.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Item = { price: number; title: string; label(): string } & Record<string, unknown>;

function shop() {
  const ItemV1 = class Item {
    cents: number;
    constructor(cents: number) {
      this.cents = cents;
    }
  };
  const ItemV2 = class Item {
    price: number;
    constructor(cents: number) {
      this.price = cents / 100;
    }
  };
  class Book extends ItemV1 {
    title: string;
    constructor(cents: number, title: string) {
      super(cents);
      this.title = title;
    }
    label(): string {
      return `${this.title}: ${(this as unknown as Item).price}`;
    }
  }
  const ns = new Namespace("shop");
  ns.registerClass(ItemV1);
  ns.registerClass(Book);
  const upgrade = patch("prices")
    .replaceImplementation("Item", ItemV2)
    .migrate("Item", (old, target) => {
      target.price = (old.cents as number) / 100;
    })
    .build();
  return { ns, Book: Book as unknown as new (cents: number, title: string) => Item, upgrade };
}

test.each(["lazy", "progressive"] as const)(
  "%s: a subclass object built with its own class after the commit keeps what its constructor set; rollback gives it the old layout",
  async (policy) => {
    const { ns, Book, upgrade } = shop();
    const old = new Book(250, "old");
    const result = updateSync(ns, upgrade, { policy });
    const made = new Book(999, "new");
    expect(made.label()).toBe("new: 9.99");
    if (policy === "lazy") result.completeMigration();
    await result.completion;
    expect([made.label(), old.label()]).toEqual(["new: 9.99", "old: 2.5"]);
    expect(Object.keys(made)).toEqual(["price", "title"]);
    const untouched = new Book(500, "untouched");
    result.rollback();
    expect(Object.keys(made)).toEqual(["cents", "title"]);
    expect(Object.keys(untouched)).toEqual(["cents", "title"]);
    expect(Object.entries(old)).toEqual([
      ["cents", 250],
      ["title", "old"],
    ]);
  },
);

test("property: old objects and objects built since, touched in any order, end as an eager update leaves them (seed 19)", () => {
  const action = fc.oneof(
    fc.record({ kind: fc.constant("build" as const), cents: fc.integer({ min: 0, max: 10_000 }) }),
    fc.record({ kind: fc.constant("touch" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("complete" as const) }),
  );
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 4 }),
      fc.array(action, { maxLength: 10 }),
      (before, actions) => {
        const run = (policy: "eager" | "lazy") => {
          const { ns, Book, upgrade } = shop();
          const objects = before.map((c, i) => new Book(c, `o${i}`));
          const result = updateSync(ns, upgrade, { policy });
          for (const a of actions) {
            if (a.kind === "build") objects.push(new Book(a.cents, `b${objects.length}`));
            else if (a.kind === "touch") objects[a.at % objects.length]!.label();
            else result.completeMigration();
          }
          result.completeMigration();
          return objects.map((o) => Object.entries(o));
        };
        expect(run("lazy")).toEqual(run("eager"));
      },
    ),
    { seed: 19, numRuns: 60 },
  );
  // Each run queries the heap (~0.5 s on a loaded 2-core machine).
}, 180_000);

test("an old object whose own code deleted a field the new version drops is still migrated (its migrators run)", () => {
  const run = (policy: "eager" | "lazy") => {
    const V1 = class Conn {
      port: number;
      socket?: object;
      constructor(port: number) {
        this.port = port;
        this.socket = {};
      }
      close() {
        delete this.socket;
      }
    };
    const V2 = class Conn {
      port: number;
      url: string;
      constructor(port: number) {
        this.port = port;
        this.url = `tcp://h:${port}`;
      }
      close() {}
    };
    const ns = new Namespace(`closed-${policy}`);
    ns.registerClass(V1);
    const closed = new V1(2);
    closed.close();
    const result = updateSync(
      ns,
      patch("url")
        .replaceImplementation("Conn", V2)
        .migrate("Conn", (old, target) => {
          target.url = `tcp://h:${old.port}`;
        })
        .build(),
      { policy },
    );
    closed.close();
    result.completeMigration();
    return Object.entries(closed);
  };
  expect(run("lazy")).toEqual(run("eager"));
});
