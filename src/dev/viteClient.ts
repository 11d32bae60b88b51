/**
 * What the page gets from the Vite plugin: metamorph's page runtime
 * (./vitePageRuntime.ts) as one minified module, and the engine it imports
 * on the first edit of a class (./vitePageEngine.ts) as another, bundled
 * once per dev server by Vite's own bundler, with the stand-ins of
 * ./vitePageStandIns.ts (no parser, no patch composition, no heap finder)
 * and the pruning of ./vitePagePruning.ts.
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

/** One module of the page runtime, minified. */
export interface PageChunk {
  readonly fileName: string;
  readonly code: string;
  readonly isEntry: boolean;
  readonly isDynamicEntry: boolean;
  /** What each bundled module contributes (before minification). */
  readonly modules: Rolldown.OutputChunk["modules"];
}

/**
 * The page runtime as bundled: the module a page loads (the entry), the
 * module the entry imports on the first edit (the engine), and those modules'
 * common code, which the entry loads (`modules` of each says what each of our
 * modules contributes, see scripts/page-payload.mjs).
 */
export async function bundlePageRuntime(): Promise<PageChunk[]> {
  const { build, minifySync } = await import("vite");
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
      // Library mode, so that the engine is imported as it is (an application
      // build wraps a dynamic import in a preloading helper for its CSS); the
      // modules are minified below, as library mode leaves ES modules' whitespace.
      lib: { entry: clientFile, formats: ["es"] },
      minify: false,
      sourcemap: false,
      emptyOutDir: false,
      rolldownOptions: {
        preserveEntrySignatures: "strict",
        transform: { inject: { setImmediate: [PAGE_TIMERS_ID, "setImmediate"] } },
        output: { format: "es", entryFileNames: ENTRY_FILE, chunkFileNames: "[name].js" },
      },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  const chunks = outputs.flatMap((output) =>
    "output" in output ? output.output.filter((c) => c.type === "chunk") : [],
  );
  const minified = chunks.map((chunk) => ({
    fileName: chunk.fileName,
    code: minifySync(chunk.fileName, chunk.code).code,
    isEntry: chunk.isEntry,
    isDynamicEntry: chunk.isDynamicEntry,
    modules: chunk.modules,
  }));
  if (minified.filter((c) => c.isEntry).length !== 1 || !minified.some((c) => c.isDynamicEntry)) {
    throw new Error(
      `metamorph: bundling the page runtime made ${minified.map((c) => c.fileName).join(", ")}, not an entry and an engine`,
    );
  }
  return minified;
}

const ENTRY_FILE = "client.js";

/** The page runtime's modules by the specifier a page imports each by: the entry's is `entry`, the others' `${prefix}${file}`. */
export type PageModules = ReadonlyMap<string, string>;

/** `code` with the relative module specifiers of the bundle made the ones the page imports them by. */
function respecify(code: string, files: readonly string[], specifier: (file: string) => string) {
  let out = code;
  for (const file of files) {
    for (const quote of ['"', "'", "`"]) {
      out = out.split(`${quote}./${file}${quote}`).join(JSON.stringify(specifier(file)));
    }
  }
  return out;
}

let bundled: Promise<PageChunk[]> | undefined;

/**
 * The page runtime's modules (bundled on first use, then kept), by the
 * specifier each is imported by: `entry` for the entry, `${prefix}${file}`
 * for the others; each names the others by those specifiers.
 */
export async function pageModules(entry: string, prefix: string): Promise<PageModules> {
  bundled ??= bundlePageRuntime();
  const chunks = await bundled;
  const specifier = (file: string) => (file === ENTRY_FILE ? entry : `${prefix}${file}`);
  const files = chunks.map((c) => c.fileName);
  return new Map(chunks.map((c) => [specifier(c.fileName), respecify(c.code, files, specifier)]));
}
