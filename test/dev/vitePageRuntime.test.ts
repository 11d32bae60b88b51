/**
 * The page runtime the Vite plugin serves (src/dev/viteClient.ts): one
 * module, with the stand-ins of src/dev/vitePageStandIns.ts in place of the
 * parser, patch composition, the heap finder, patch JSON, trust and summaries. That updates never reach a
 * stand-in is shown by the dev page tests (./vite.test.ts).
 */
import { expect, test } from "vitest";
import { pageRuntime } from "../../src/dev/viteClient.js";

test("the page runtime carries no parser, patch composition, heap finder, JSON reader or trust checks", async () => {
  const code = await pageRuntime();
  // Text that only the real modules hold: acorn's tokenizer, the conflict rules, the inspector query.
  expect(code).not.toMatch(/Unexpected token|ecmaVersion/);
  expect(code).not.toContain("apply the patches as two updates");
  expect(code).not.toContain("Runtime.queryObjects");
  expect(code).not.toContain("cannot find node:inspector's Session");
  // The patch reader's own messages, and the trust refusal's advice.
  expect(code).not.toContain("unknown property of a patch");
  expect(code).not.toContain("vouch for it with Patch.fromJSON");
  for (const why of [
    "was not handed over by the dev server",
    "composing patches is not part of the page runtime",
    "the heap finder needs Node's inspector",
    "the page never reads a patch's JSON form",
    "the page reads no patch from JSON, so none is untrusted",
  ]) {
    expect(code).toContain(why);
  }
  // The engine's own entry points are there: the page applies updates itself.
  expect(code).toMatch(/export\s*\{[^}]*\bmodule\b/);
}, 60_000);
