import { describe, expect, test } from "vitest";
import { Namespace, patch } from "../../src/index.js";
import { buildPhase } from "../../src/migration/phases/build.js";
import { detectPhase } from "../../src/migration/phases/detect.js";
import { shadowPhase } from "../../src/migration/phases/shadow.js";

/**
 * A lazy first touch saves the object's old values with the plan's compiled
 * `readOld` (migrationLog.ts) and takes the general path only when that says
 * the object is not on the old layout. Guards a bug that was: the generated
 * `readOld` declared `const ob = ob` (its parameter and the base of
 * takeSource shared the name), which throws in the temporal dead zone; the
 * throw was caught, so every object took the general path — correct, but a
 * first touch cost ~7.7 µs instead of ~0.8 µs (300k objects, 100k touched).
 */
describe("lazy first touch: the compiled path", () => {
  test("readOld takes an object on the old layout and saves its values", () => {
    const ns = new Namespace("lazy-fast-path");
    const Item = ns.defineClass<{ id: number; price: number }>({
      name: "Item",
      fields: [
        { name: "id", initializer: "0" },
        { name: "price", initializer: "0" },
      ],
    });
    const item = new Item({ id: 1, price: 2 });
    const built = buildPhase(ns, patch("v2").renameField("Item", "price", "cost").build());
    const { plans } = shadowPhase(ns, built, detectPhase(built));
    const old: unknown[] = [];
    expect(plans[0]!.compiled.readOld(item, old, 0)).toBe(true);
    expect(old).toEqual([1, 2]);
  });
});
