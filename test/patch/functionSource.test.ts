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

/**
 * A source nested deeper than the parser's stack (which V8 still compiles)
 * was taken for "no parser here": `(o, t) => {}, (side effect), [[[… 1000
 * deep …]]], (o, t) => {}` ran its side effect at hydration, and the update
 * was refused after (review advZ21). Refused now, nothing run; the same
 * shallow is refused as not a function.
 */
test.each([
  ["migrator", 1000],
  ["implementation", 1000],
  ["migrator", 10],
] as const)(
  "a %s source with a side effect beside literals nested %i deep: refused, nothing run",
  (key, depth) => {
    const canary = `__metamorphDeepCanary${key}${depth}`;
    const nested = `${"[".repeat(depth)}1${"]".repeat(depth)}`;
    const source =
      key === "migrator"
        ? `(old, target) => {}, (globalThis.${canary} = 1), ${nested}, (old, target) => {}`
        : `class {}, (globalThis.${canary} = 1), ${nested}, class {}`;
    const op =
      key === "migrator"
        ? { op: "migrator", className: "Item", migrator: { source } }
        : { op: "replaceImplementation", className: "Item", implementation: { source } };
    const json = { format: "metamorph.patch/1", name: "deep", operations: [op] };
    expect(() => Patch.fromJSON(json, { trust: "in-process" }).hydrate()).toThrow(
      expect.objectContaining({
        code: "MM_INVALID_PATCH",
        message: expect.stringMatching(depth > 100 ? /nests too deeply/ : /is not a/),
      }),
    );
    expect((globalThis as Record<string, unknown>)[canary]).toBeUndefined();
  },
);
