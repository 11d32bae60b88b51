/**
 * What the page gets from the Vite plugin: metamorph's page runtime
 * (./vitePageRuntime.ts and the engine it drives) as one minified module, bundled
 * once per dev server by Vite's own bundler, with the stand-ins of
 * ./vitePageStandIns.ts (no parser, no patch composition, no heap finder).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Rolldown } from "vite";
import { pagePruning } from "./vitePagePruning.js";
import { PAGE_TIMERS_ID, pageStandIns } from "./vitePageStandIns.js";

const here = dirname(fileURLToPath(import.meta.url));
/** `.ts` from source, `.js` in the compiled package. */
const extension = fileURLToPath(import.meta.url).slice(-3);
const clientFile = join(here, `vitePageRuntime${extension}`);

/**
 * The page runtime bundled as the page gets it: the entry chunk, whose
 * `modules` say what each of our modules contributes (scripts/page-payload.mjs).
 */
export async function bundlePageRuntime(): Promise<Rolldown.OutputChunk> {
  const { build } = await import("vite");
  const result = await build({
    configFile: false,
    envFile: false,
    logLevel: "silent",
    root: here,
    publicDir: false,
    mode: "production",
    plugins: [pageStandIns, pagePruning],
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
    build: {
      write: false,
      minify: true,
      sourcemap: false,
      emptyOutDir: false,
      // Not library mode: there Vite leaves the whitespace of ES modules unminified.
      rolldownOptions: {
        input: clientFile,
        preserveEntrySignatures: "strict",
        transform: { inject: { setImmediate: [PAGE_TIMERS_ID, "setImmediate"] } },
        output: { format: "es", codeSplitting: false },
      },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  for (const output of outputs) {
    if (!("output" in output)) continue;
    for (const chunk of output.output) {
      if (chunk.type === "chunk" && chunk.isEntry) return chunk;
    }
  }
  throw new Error("metamorph: bundling the page runtime produced no module");
}

let bundled: Promise<string> | undefined;

/** The page runtime as one module (bundled on first use, then kept). */
export function pageRuntime(): Promise<string> {
  bundled ??= bundlePageRuntime().then((chunk) => chunk.code);
  return bundled;
}
