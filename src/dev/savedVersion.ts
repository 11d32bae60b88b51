/**
 * The JavaScript of a saved version of a module, compiled by the same loader
 * chain as at start-up (tsx for TypeScript, Node's own loader for
 * JavaScript): the runtime imports `<module>?metamorph-source=<hash>`, which
 * the dev loader answers with that JavaScript as a string (see ./hooks.ts).
 * Identical contents share one such module. A CommonJS module's comes from
 * the `require` extension that compiled it (./requireHook.ts): Node 20's
 * module hooks do not see what tsx compiles for `require`. A compile error
 * becomes a SourceProblem at the user's line and column.
 */
import { contentHash, SOURCE_QUERY, SourceProblem } from "./compile.js";
import type { ModuleRecord } from "./moduleGraph.js";
import { requireCompiled } from "./requireHook.js";

/** esbuild's (tsx's) report: `<file>:<line>:<column>: ERROR: <message>` (column 0-based). */
const ESBUILD_ERROR = /:(\d+):(\d+): ERROR: (.+)/;

/** A compile error reported by tsx (esbuild), as a SourceProblem in `file`; undefined for other errors. */
export function compileProblem(error: unknown, file: string): SourceProblem | undefined {
  const match = ESBUILD_ERROR.exec(error instanceof Error ? error.message : "");
  if (!match) return undefined;
  const [, line, column, message] = match;
  return new SourceProblem(`SyntaxError: ${message}`, file, Number(line), Number(column) + 1);
}

export async function javaScriptOf(record: ModuleRecord, text: string): Promise<string> {
  if (record.sourceType === "script") {
    try {
      return requireCompiled(record.file);
    } catch (error) {
      throw compileProblem(error, record.file) ?? error;
    }
  }
  const url = `${record.url.split(/[?#]/)[0]}?${SOURCE_QUERY}=${contentHash(text)}`;
  try {
    const namespace = (await import(url)) as { default?: unknown };
    if (typeof namespace.default !== "string") {
      throw new SourceProblem(`${record.file} could not be compiled again`, record.file, 1, 1);
    }
    return namespace.default;
  } catch (error) {
    throw compileProblem(error, record.file) ?? error;
  }
}
