/**
 * Module loader hooks for `metamorph dev` (registered with `module.register`
 * after tsx's, so that they run first and get tsx's JavaScript from
 * `nextLoad`; for a `.js` module `nextLoad` is Node's own loader). Every
 * module of the program (not under node_modules, not metamorph's own
 * sources, not a `*.migrations.*` module) is rewritten by `instrumentModule`;
 * everything else is left to tsx and Node. CommonJS that the chain leaves to
 * Node's `require` loader (no source: plain `.js`/`.cjs`, and TypeScript once
 * tsx's require hook is in) stays there, and ./requireHook.ts rewrites it.
 *
 * The JavaScript of each version reaches the dev runtime too, since changes
 * are found by comparing the JavaScript of two versions: the version loaded
 * at start-up through a message port (posted before the module can run), a
 * saved version when the runtime imports `<module>?metamorph-source=<hash>`,
 * which evaluates to that JavaScript as a string and runs nothing.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { MessagePort } from "node:worker_threads";
import { contentHash, SOURCE_QUERY, SourceProblem, type SourceType } from "./compile.js";
import { instrumentModule } from "./instrument.js";

export interface HooksData {
  /** Directories whose files are never instrumented (file URLs ending in "/"). */
  readonly exclude: readonly string[];
  /** Where the JavaScript of each module loaded at start-up is posted ({ url, js }). */
  readonly port?: MessagePort;
}

let exclude: readonly string[] = [];
let port: MessagePort | undefined;

export function initialize(data: HooksData | undefined): void {
  exclude = data?.exclude ?? [];
  port = data?.port;
}

const MANAGED = /\.(ts|mts|cts|tsx|js|mjs|cjs|jsx)$/;

/** Whether the dev loader instruments the module at `url`. */
export function isProgramModule(url: string, excluded: readonly string[] = exclude): boolean {
  if (!url.startsWith("file:")) return false;
  const path = url.split(/[?#]/)[0]!;
  if (!MANAGED.test(path) || path.includes("/node_modules/")) return false;
  if (/\.migrations\.[^/]+$/.test(path)) return false;
  return !excluded.some((dir) => path.startsWith(dir));
}

interface LoadContext {
  readonly format?: string | null;
  readonly conditions?: readonly string[];
  readonly importAttributes?: Record<string, string>;
}

interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}

type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

const text = (source: LoadResult["source"]) =>
  typeof source === "string" ? source : Buffer.from(source as Uint8Array).toString("utf8");

export async function load(
  url: string,
  context: LoadContext,
  nextLoad: NextLoad,
): Promise<LoadResult> {
  if (!isProgramModule(url)) return nextLoad(url, context);
  const file = fileURLToPath(url);
  // Hashed before compiling: a save in between makes the runtime reload the module once more.
  const hash = contentHash(await readFile(file, "utf8"));
  // A saved version is asked for only of an ES module: said so, Node does not
  // guess the format of a `.js` of a package without a type, with a warning.
  const savedVersion = new URL(url).searchParams.has(SOURCE_QUERY);
  const loaded = await nextLoad(url, savedVersion ? { ...context, format: "module" } : context);
  if (loaded.format !== "module" && loaded.format !== "commonjs") return loaded;
  // CommonJS without a source is left to Node's own loader, where the require
  // hook rewrites it. Given a source, Node 20 would run it through its ESM
  // translator, whose `require` fails on a package that `require` resolves to
  // an ES module importing CommonJS ("module-sync", as under express): such a
  // program died at start-up with "request for './index.js' is not in cache".
  if (loaded.source === undefined || loaded.source === null) return loaded;
  const js = text(loaded.source);
  if (savedVersion) {
    return {
      format: "module",
      source: `export default ${JSON.stringify(js)};`,
      shortCircuit: true,
    };
  }
  const sourceType: SourceType = loaded.format === "module" ? "module" : "script";
  let code: string;
  try {
    code = instrumentModule(js, file, hash, sourceType).code;
  } catch (error) {
    if (!(error instanceof SourceProblem)) throw error;
    throw new SyntaxError(`${error.file}:${error.line}:${error.column}: ${error.message}`);
  }
  port?.postMessage({ url, js });
  return { format: loaded.format, source: code, shortCircuit: true };
}
