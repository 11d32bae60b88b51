/**
 * Hydrating a trusted patch evaluates its function sources; one that is not
 * a function (an expression with side effects, a class with a static
 * block, a function followed by a comma) ran before the patch was refused.
 * Every source is now checked to be one function, and nothing of the patch
 * is evaluated unless all are.
 */
import { expect, test } from "vitest";
import { Patch } from "../../src/index.js";
import { isFunctionSource } from "../../src/patch/checks/functionSource.js";

test.each([
  "function (old) { return old.x; }",
  "async function named() {}",
  "(old, target) => { target.x = old.y; }",
  "async (x) => x",
  "x => x * 2",
  "async x => x",
  "migrate(old, target) { target.x = 1; }",
  "async *each() {}",
  "(a = (1, 2)) => a",
  "  (old) =>\n  old.x  ",
])("a function: %s", (source) => {
  expect(isFunctionSource(source)).toBe(true);
});

test.each([
  "42",
  "(sideEffect(), 42)",
  "(() => 1)()",
  "x => x, sideEffect()",
  "function () {}, sideEffect()",
  "class { static { sideEffect(); } }",
  "[sideEffect()]() {}",
  // A template literal calling something.
  ["`$", "{sideEffect()}`"].join(""),
  "sideEffect()",
  // Closing the wrapper's parenthesis early, to call the function.
  "(x) => x)(sideEffect()",
])("not a function: %s", (source) => {
  expect(isFunctionSource(source)).toBe(false);
});

test("hydrating refuses a patch with such a source before evaluating any of its sources", () => {
  const canary = "__metamorphHydrateCanary";
  const json = {
    format: "metamorph.patch/1",
    name: "evil",
    operations: [
      {
        op: "migrator",
        className: "Item",
        migrator: { source: `(globalThis.${canary} = "first", (old, t) => {})` },
      },
    ],
  };
  expect(() => Patch.fromJSON(json, { trust: "in-process" }).hydrate()).toThrow(
    expect.objectContaining({
      code: "MM_INVALID_PATCH",
      message: expect.stringContaining("not a function"),
    }),
  );
  expect((globalThis as Record<string, unknown>)[canary]).toBeUndefined();
});
