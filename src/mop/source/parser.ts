/**
 * Loading the parser and parsing text into a syntax tree. The TypeScript
 * compiler is loaded only on the first parse, through `require`: about 0.2 s
 * in plain Node 20 (0.3 s under tsx), against about 0.5 s for an ESM `import`,
 * which also scans the 9 MB CommonJS file for named exports. Most programs
 * importing metamorph never parse a class, so they never pay it.
 */
import type ts from "typescript";
import { SourceParserUnavailableError } from "../../errors.js";

export type TypeScript = typeof ts;

let compiler: TypeScript | undefined;

/**
 * Supplies the TypeScript compiler module where metamorph cannot `require` it
 * itself (a browser bundle): `provideTypeScript(await import("typescript"))`.
 */
export function provideTypeScript(module: TypeScript): void {
  compiler = module;
}

interface NodeProcess {
  readonly getBuiltinModule?: (id: string) => unknown;
}

export function typescript(): TypeScript {
  if (compiler !== undefined) return compiler;
  // `process.getBuiltinModule` (Node ≥ 20.16) avoids a static `node:module`
  // import, which would break bundling metamorph for a browser.
  const proc = (globalThis as { process?: NodeProcess }).process;
  const nodeModule = proc?.getBuiltinModule?.("node:module") as
    | typeof import("node:module")
    | undefined;
  if (nodeModule === undefined) {
    throw new SourceParserUnavailableError(
      "Reading class source needs the TypeScript compiler, and there is no Node `require` here; call provideTypeScript(ts) first",
    );
  }
  try {
    compiler = nodeModule.createRequire(import.meta.url)("typescript") as TypeScript;
  } catch (error) {
    throw new SourceParserUnavailableError(
      `Reading class source needs the "typescript" package, which could not be loaded: ${String(error)}`,
      { cause: String(error) },
    );
  }
  return compiler;
}

export interface ParseError {
  readonly start: number;
  readonly message: string;
}

export function firstParseError(t: TypeScript, file: ts.SourceFile): ParseError | undefined {
  // Syntax errors are kept on the source file by the parser; the public way to
  // read them needs a whole Program, which costs far more than the parse.
  const diagnostics = (
    file as ts.SourceFile & { readonly parseDiagnostics?: readonly ts.Diagnostic[] }
  ).parseDiagnostics;
  const first = diagnostics?.[0];
  if (first === undefined) return undefined;
  return {
    start: first.start ?? 0,
    message: t.flattenDiagnosticMessageText(first.messageText, "\n"),
  };
}

export function scriptKind(t: TypeScript, fileName: string): ts.ScriptKind {
  const extension = /\.[^./\\]+$/.exec(fileName)?.[0]?.toLowerCase() ?? "";
  switch (extension) {
    case ".ts":
    case ".mts":
    case ".cts":
      return t.ScriptKind.TS;
    case ".tsx":
      return t.ScriptKind.TSX;
    case ".jsx":
      return t.ScriptKind.JSX;
    default:
      return t.ScriptKind.JS;
  }
}
