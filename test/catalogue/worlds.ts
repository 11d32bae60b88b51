// Small worlds the catalogue's cases start from. Each call makes a fresh one:
// no case sees another's objects.
import { Namespace } from "../../src/index.js";
import type { World } from "./snapshot.js";

export interface Item {
  name: string;
  price: number;
  total(): number;
}

export interface ShopWorld extends World {
  readonly ns: Namespace;
  readonly objects: object[];
  readonly Item: new (init?: Partial<Item>) => Item;
  readonly Book: new (init?: Partial<Item & { isbn: string }>) => Item & { isbn: string };
  readonly items: Item[];
}

/**
 * A class, a subclass and a value binding; the instances hold a number, a
 * fraction and a string in the same field, and one refers to another.
 */
export function shopWorld(name = "shop", finder: "registry" | "heap" = "registry"): ShopWorld {
  const ns = new Namespace(name, { instanceFinder: finder });
  const Item = ns.defineClass<Item>({
    name: "Item",
    fields: [
      { name: "name", initializer: '""' },
      { name: "price", initializer: "0" },
    ],
    methods: {
      total(this: Item) {
        return this.price;
      },
    },
  });
  const Book = ns.defineClass<Item & { isbn: string }>({
    name: "Book",
    superclass: "Item",
    fields: [{ name: "isbn", initializer: '""' }],
  });
  const items = [
    new Item({ name: "pen", price: 1 }),
    new Item({ name: "ink", price: 4.5 }),
    new Book({ name: "atlas", price: 30, isbn: "978" }),
  ];
  ns.define("featured", items[2]);
  ns.define("currency", "EUR");
  return { ns, objects: [...items], Item, Book, items, extra: [Item, Book] };
}

/** Nothing but the intrinsics: for refusals that happen before any namespace is involved. */
export function emptyWorld(): World {
  return {};
}

export interface HeapWorld extends World {
  readonly ns: Namespace;
  readonly objects: object[];
}

/**
 * One class under the heap finder. Every heap query walks the worker's whole
 * heap (about a second here), so this world is as small as a case allows and
 * its cases count instances once, at the end, against the objects they made.
 */
export function heapWorld(): HeapWorld {
  const ns = new Namespace("heaped", { instanceFinder: "heap" });
  const Item = ns.defineClass<Item>({
    name: "Item",
    fields: [
      { name: "name", initializer: '""' },
      { name: "price", initializer: "0" },
    ],
  });
  const objects = [new Item({ name: "pen", price: 1 }), new Item({ name: "ink", price: 4.5 })];
  return { ns, objects };
}
