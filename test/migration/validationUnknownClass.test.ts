/**
 * A namespace validation asking for the instances of a class the new world
 * does not have — a typo, or the old name of a class the same patch renames
 * — passed on no objects, and the update committed what the rule was meant
 * to stop (review advZ9). The rule now throws MM_UNKNOWN_BINDING, and the
 * update is refused naming it, as `validateInstances` and a hook's
 * `ctx.instancesOf` already refuse such a name.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";
import { Namespace, patch, updateSync, type ValidationError } from "../../src/index.js";

test("property: a rule over an unknown class name refuses the update, naming the rule and the name; nothing changed", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("Item", "Itme", "Products", "item"),
      fc.constantFrom("eager" as const, "lazy" as const, "progressive" as const),
      (asked, policy) => {
        const shop = new Namespace("shop");
        const Item = shop.defineClass<{ price: number }>({
          name: "Item",
          fields: [{ name: "price", initializer: "0" }],
        });
        const items = [new Item({ price: -5 }), new Item({ price: 3 })];
        const before = deepSnapshot({ ns: shop, objects: items });
        const next = patch("v2")
          .renameClass("Item", "Product")
          .addField("Product", "cents", { initial: (old) => Number(old.price) * 100 })
          .validate("every product priced", (world) =>
            world.instancesOf(asked).every((i) => (i as { cents: number }).cents > 0)
              ? true
              : "unpriced product",
          )
          .policy(policy)
          .build();
        let refusal: ValidationError | undefined;
        try {
          updateSync(shop, next);
        } catch (error) {
          refusal = error as ValidationError;
        }
        expect(refusal?.code).toBe("MM_VALIDATION_FAILED");
        expect(refusal?.message).toContain("every product priced");
        expect(refusal?.message).toContain(`has no class "${asked}"`);
        expect(
          snapshotDifference(before, deepSnapshot({ ns: shop, objects: items })),
        ).toBeUndefined();
      },
    ),
    { seed: 20261210, numRuns: 12 },
  );
});

test("the new name finds the migrated objects, and the rule refuses what it is meant to", () => {
  const shop = new Namespace("shop-new-name");
  const Item = shop.defineClass<{ price: number }>({
    name: "Item",
    fields: [{ name: "price", initializer: "0" }],
  });
  new Item({ price: -5 });
  const next = patch("v2")
    .renameClass("Item", "Product")
    .addField("Product", "cents", { initial: (old) => Number(old.price) * 100 })
    .validate("every product priced", (world) =>
      world.instancesOf("Product").every((i) => (i as { cents: number }).cents > 0)
        ? true
        : "unpriced product",
    )
    .build();
  expect(() => updateSync(shop, next)).toThrow(/unpriced product/);
});
