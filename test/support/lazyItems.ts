/**
 * The world of the lazy-migration tests: `n` Items (`id`, `price`) in a
 * namespace of their own, each with `peek()`; the v2 patches rename `price`
 * to `cost` and add `note`.
 */
import { Namespace, patch } from "../../src/index.js";

interface ItemV1 {
  id: number;
  price: number;
  peek(): number;
}

export function itemWorld(n: number, name: string, finder?: "registry" | "heap") {
  const ns = new Namespace(name, finder ? { instanceFinder: finder } : {});
  const Item = ns.defineClass<ItemV1>({
    name: "Item",
    fields: [
      { name: "id", initializer: "0" },
      { name: "price", initializer: "0" },
    ],
    methods: {
      peek(this: ItemV1) {
        return this.id;
      },
    },
  });
  const items = Array.from({ length: n }, (_, i) => new Item({ id: i, price: i * 10 }));
  return { ns, Item, items, world: { ns, objects: items } };
}

export interface ItemV2 {
  id: number;
  cost: number;
  note: string;
  peek(): number;
}

/** The lazy v2 patch: `price` renamed to `cost`, `note` added, `peek()` reads `cost`. */
export const itemsV2 = () =>
  patch("v2")
    .renameField("Item", "price", "cost")
    .addField("Item", "note", { default: "n" })
    .replaceMethods("Item", {
      peek(this: ItemV2) {
        return this.cost;
      },
    })
    .policy("lazy")
    .build();
