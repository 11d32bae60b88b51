/**
 * The page runtime the Vite plugin serves (src/dev/viteClient.ts): one
 * module, with the stand-ins of src/dev/vitePageStandIns.ts in place of the
 * parser, patch composition, the heap finder, patch JSON, trust and summaries. That updates never reach a
 * stand-in is shown by the dev page tests (./vite.test.ts).
 */
import { expect, test } from "vitest";
import { pageRuntime } from "../../src/dev/viteClient.js";

test("the page runtime carries no parser, patch composition, heap finder, JSON reader, trust checks, nor operations its patches never carry", async () => {
  const code = await pageRuntime();
  // Text that only the real modules hold: acorn's tokenizer, the conflict rules, the inspector query.
  expect(code).not.toMatch(/Unexpected token|ecmaVersion/);
  expect(code).not.toContain("apply the patches as two updates");
  expect(code).not.toContain("Runtime.queryObjects");
  expect(code).not.toContain("cannot find node:inspector's Session");
  // The patch reader's own messages, and the trust refusal's advice.
  expect(code).not.toContain("unknown property of a patch");
  expect(code).not.toContain("vouch for it with Patch.fromJSON");
  // The builder's and the building's code for operations the page's patches never carry.
  expect(code).not.toContain("options must be { into, via }");
  // immer itself: the page has its own (src/dev/vitePageImmer.ts).
  expect(code).not.toContain("[Immer]");
  expect(code).toContain("the page's immer drafts only plain objects and arrays");
  expect(code).not.toContain("give either default or defaultSource, not both");
  expect(code).not.toContain("use replaceMethod");
  for (const why of [
    "was not handed over by the dev server",
    "the heap finder needs Node's inspector",
    // Pruned (src/dev/vitePagePruning.ts): one thrower per pruned module.
    "is not available in the page (the page's patches carry only the operations its own plan builds)",
    "is not available in the page (the page's patches are built in-process, never read, written or composed)",
  ]) {
    expect(code).toContain(why);
  }
  // The engine's own entry points are there: the page applies updates itself.
  expect(code).toMatch(/export\s*\{[^}]*\bmodule\b/);
}, 60_000);
