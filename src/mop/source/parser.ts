/**
 * Parsing JavaScript into an ESTree syntax tree with acorn. At run time a
 * class's source (`Function.prototype.toString()`) is JavaScript — whatever
 * tsc, esbuild or tsx emitted — so no TypeScript compiler is needed: acorn is
 * small (about 0.5 MB installed, no dependencies), fast, and what the tools
 * of the ecosystem build on. TypeScript text is read where a loader has the
 * file (`metamorph dev`, the Vite plugin), after it turned it into JavaScript.
 */
import type { AnyNode, Options, Program } from "acorn";
import { Parser } from "acorn";

/** Where and why the text does not parse. */
export interface ParseFailure {
  /** Offset in the text. */
  readonly pos: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly message: string;
}

export type ParseResult =
  | { readonly ok: true; readonly program: Program }
  | { readonly ok: false; readonly failure: ParseFailure };

const BASE_OPTIONS: Options = {
  ecmaVersion: "latest",
  // Parentheses stay in the tree, so that spans such as `extends (a ? B : C)`
  // are the text as written; the analyses look through them.
  preserveParens: true,
  // A nested class's source may use private names its enclosing class
  // declares: valid where it was written, so valid here.
  checkPrivateFields: false,
  allowHashBang: true,
};

interface AcornSyntaxError extends SyntaxError {
  readonly pos: number;
  readonly loc: { readonly line: number; readonly column: number };
}

function isAcornError(error: unknown): error is AcornSyntaxError {
  return error instanceof SyntaxError && typeof (error as { pos?: unknown }).pos === "number";
}

/**
 * Parses `text` as a script (a class's own source: `import.meta` allowed, as
 * in the module it came from) or as a module. Returns the failure rather
 * than throwing, so callers can word it for their input.
 */
export function parseJavaScript(text: string, sourceType: "script" | "module"): ParseResult {
  try {
    const program = Parser.parse(text, {
      ...BASE_OPTIONS,
      sourceType,
      allowImportExportEverywhere: sourceType === "script",
    });
    return { ok: true, program };
  } catch (error) {
    if (!isAcornError(error)) throw error;
    return {
      ok: false,
      failure: {
        pos: error.pos,
        line: error.loc.line,
        column: error.loc.column + 1,
        // acorn appends "(line:column)"; the callers say where themselves.
        message: error.message.replace(/\s*\(\d+:\d+\)$/, ""),
      },
    };
  }
}

/**
 * Calls `visit` with each child node of `node`, in source order. ESTree
 * nodes are plain data: children are the properties holding nodes or arrays
 * of nodes.
 */
export function forEachChild(node: AnyNode, visit: (child: AnyNode) => void): void {
  for (const key in node) {
    const value = (node as unknown as Record<string, unknown>)[key];
    if (typeof value !== "object" || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) visit(item);
    } else if (isNode(value)) {
      visit(value);
    }
  }
}

function isNode(value: unknown): value is AnyNode {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { type?: unknown }).type === "string" &&
    typeof (value as { start?: unknown }).start === "number"
  );
}
