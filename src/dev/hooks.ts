/**
 * Module loader hooks for `metamorph dev` (registered with `module.register`,
 * after tsx's, so they run first and tsx still resolves `./x.js` to `./x.ts`).
 * Every ES module of the program (not under node_modules, not metamorph's
 * own sources, not a `*.migrations.*` module) is compiled by `compileModule`
 * and instrumented by `instrumentModule`; everything else is left to tsx and
 * Node.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { compileModule, contentHash, instrumentModule, SourceProblem } from "./compile.js";

export interface HooksData {
  /** Directories whose files are never instrumented (file URLs ending in "/"). */
  readonly exclude: readonly string[];
}

let exclude: readonly string[] = [];

export function initialize(data: HooksData | undefined): void {
  exclude = data?.exclude ?? [];
}

const MANAGED = /\.(ts|mts|tsx|js|mjs|jsx)$/;

/** Whether the dev loader compiles and instruments the module at `url`. */
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

export async function load(
  url: string,
  context: LoadContext,
  nextLoad: NextLoad,
): Promise<LoadResult> {
  if (!isProgramModule(url)) return nextLoad(url, context);
  const loaded = await nextLoad(url, context);
  if (loaded.format !== "module") return loaded;
  const fileName = fileURLToPath(url.split(/[?#]/)[0]!);
  const source = await readFile(fileName, "utf8");
  let js: string;
  try {
    js = compileModule(source, fileName);
  } catch (error) {
    if (error instanceof SourceProblem) {
      const wrapped = new SyntaxError(
        `${error.file}:${error.line}:${error.column}: ${error.message}`,
      );
      throw wrapped;
    }
    throw error;
  }
  const { code } = instrumentModule(js, fileName, contentHash(source));
  return { format: "module", source: code, shortCircuit: true };
}
