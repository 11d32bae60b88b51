/**
 * MM_NO_INITIAL_VALUE as `metamorph dev` and the page word it: every such
 * warning said "existing objects got undefined", also for a getter become a
 * field (`get total()` → `total = 0`), whose objects got the initial value
 * (review advY5 s15). Only the engine's case of a field no migration can
 * compute is worded so; the others keep the engine's words, with the
 * migrations module's entry to write.
 */
import { expect, test } from "vitest";
import { engineWarnings } from "../../src/dev/common.js";
import { warning } from "../../src/migration/warning.js";

test("a field with no computable value: existing objects got undefined", () => {
  const w = warning(
    "MM_NO_INITIAL_VALUE",
    "Cart",
    "size",
    "new field `size` has no initial value a migration can compute (the constructor sets it from its arguments)",
    "migrated objects got undefined",
  );
  expect(engineWarnings([w], "cart.migrations.ts")).toEqual([
    "MM_NO_INITIAL_VALUE Cart.size: new field set by the constructor (from its arguments, say), which a migration cannot run: existing objects got undefined. To give them a value, write in cart.migrations.ts: export const migrate = { Cart(old, obj) { obj.size = … } }",
  ]);
});

test("an accessor become a field: the engine's words, which say the objects got the initial value", () => {
  const w = warning(
    "MM_NO_INITIAL_VALUE",
    "Cart",
    "total",
    "accessor `total` of the running version is a field of the new one",
    "the objects alive now got its initial value, not what the accessor answered",
  );
  const [line] = engineWarnings([w], "cart.migrations.ts");
  expect(line).not.toContain("got undefined");
  expect(line).toBe(
    "MM_NO_INITIAL_VALUE class Cart: accessor `total` of the running version is a field of the new one; the objects alive now got its initial value, not what the accessor answered (to set it, write in cart.migrations.ts: export const migrate = { Cart(old, obj) { obj.total = … } })",
  );
});
