/**
 * The page runtime the Vite plugin serves (src/dev/viteClient.ts): one
 * module, with the stand-ins of src/dev/vitePageStandIns.ts in place of the
 * parser, patch composition, the heap finder, patch JSON, trust and summaries. That updates never reach a
 * stand-in is shown by the dev page tests (./vite.test.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { pageModules } from "../../src/dev/viteClient.js";
import { REPO } from "./support.js";

const CLIENT = "virtual:metamorph/client";
const PREFIX = "virtual:metamorph/page/";

test("the page runtime carries no parser, patch composition, heap finder, JSON reader, trust checks, nor operations its patches never carry", async () => {
  const code = [...(await pageModules(CLIENT, PREFIX)).values()].join("\n");
  // Text that only the real modules hold: acorn's tokenizer, the conflict rules, the inspector query.
  expect(code).not.toMatch(/Unexpected token|ecmaVersion/);
  expect(code).not.toContain("apply the patches as two updates");
  expect(code).not.toContain("Runtime.queryObjects");
  expect(code).not.toContain("cannot find node:inspector's Session");
  // The patch reader's own messages, and the trust refusal's advice.
  expect(code).not.toContain("unknown property of a patch");
  expect(code).not.toContain("vouch for it with Patch.fromJSON");
  // The builder's and the building's code for operations the page's patches never carry.
  // splitClass's own words, in the builder and in its check: each file must
  // still hold its words, or this check would pass for nothing (it did, once
  // their wording changed).
  for (const [file, words] of [
    ["src/patch/builder.ts", "`into` class name"],
    ["src/patch/checks/operation.ts", "cannot be split into itself"],
  ] as const) {
    expect(readFileSync(join(REPO, file), "utf8")).toContain(words);
    expect(code).not.toContain(words);
  }
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
}, 60_000);

/** A module's static imports (`import … from "…"`, not `import("…")`). */
const staticImports = (code: string) =>
  [...code.matchAll(/(?:^|[;}\s])import\s*(?:[\w*{][^"'`]*?from\s*)?["'`]([^"'`]+)["'`]/g)].map(
    (m) => m[1]!,
  );

test("a page loads what registers classes and makes their objects; the update engine only on the first edit; the lifecycle only when an edit waits for calls in flight", async () => {
  const modules = await pageModules(CLIENT, PREFIX);
  const entry = modules.get(CLIENT)!;
  // The entry's own entry points: the instrumented modules call these.
  expect(entry).toMatch(/export\s*\{[^}]*\bmodule\b/);
  const loaded = new Set([CLIENT]);
  for (const id of loaded)
    for (const imported of staticImports(modules.get(id)!)) loaded.add(imported);
  const later = [...modules.keys()].filter((id) => !loaded.has(id));
  const ENGINE = `${PREFIX}vitePageEngine.js`;
  const QUIESCENT = `${PREFIX}quiescentUpdate.js`;
  expect(later.sort()).toEqual([QUIESCENT, ENGINE]);
  expect(entry).toContain(`import(${JSON.stringify(ENGINE)})`);
  const atLoad = [...loaded].map((id) => modules.get(id)!).join("\n");
  const engine = modules.get(ENGINE)!;
  // The lifecycle comes only with an edit that waits for calls in flight.
  expect(engine).toContain(`import(${JSON.stringify(QUIESCENT)})`);
  const quiescent = modules.get(QUIESCENT)!;
  expect(quiescent).toContain("did not finish within");
  expect(atLoad + engine).not.toContain("did not finish within");
  // Planning, migration and validation (their messages) are in the engine alone.
  for (const text of [
    "disappeared while", // planning's rename warning
    "cannot be migrated in place", // migration
    "is refused", // the build phase's refusal
  ]) {
    expect(engine).toContain(text);
    expect(atLoad).not.toContain(text);
  }
  // Registering classes is at load (the namespace's own refusals).
  expect(atLoad).toContain("is not managed: another module already defines a managed class named");
  expect(atLoad.length).toBeLessThan(engine.length);
}, 60_000);
