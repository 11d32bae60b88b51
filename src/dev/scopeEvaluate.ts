// Evaluating code "in a module's scope" without being in it: the code's free
// references to module bindings (./scopeReferences.ts) are rewritten to go
// through the accessors the module handed over (./scopeAccess.ts) — `x` →
// `s.x`, `x()` → `(0, s["x"])()` so that `this` stays undefined, `{ x }` →
// `{ x: s["x"] }`, writes and destructuring targets alike — and `import()` /
// `import.meta` to the module's own; then it is evaluated by `new Function`
// (strict when the module is). A reference to a module binding that has no
// accessor cannot be served: the code is refused before anything of it runs.
import { parse } from "acorn";
import type { SourceType } from "./conventions.js";
import type { ScopeAccess } from "./scopeAccess.js";
import { type CodeReferences, codeReferences } from "./scopeReferences.js";
import { applyEdits, withInlineMap } from "./sourceMap.js";
import { SCOPE_PARAMETER } from "../mop/source/scopeParameter.js";

// Names the rewritten code uses for the accessors and the module's environment.
const SCOPE_PARAM = SCOPE_PARAMETER;
const ENV_PARAM = "__metamorph$env";
/** The name that skips an unchanged static initialiser (./keptStatics.ts), true in the code a reload evaluates. */
export const KEPT = "__metamorph$kept";
export const KEPT_PREFIX = `${KEPT} ? 0 : `;

// New code uses a module-level variable that only the module's top-level
// statements used, so the running module gave it no accessor: a change only
// a restart applies.
export class TopLevelOnlyBinding extends TypeError {
  readonly code = "MM_DEV_TOP_LEVEL_ONLY_BINDING";
  constructor(readonly binding: string) {
    super(
      `the new code uses ${binding}, a module-level variable that only top-level statements of the running version use and reassign: it is kept out of reach of code evaluated later (so that top-level code runs at full speed), so this change cannot be applied live; restart to apply it`,
    );
  }
}

// What the module scope offers the rewrite: names with accessors, and every name it binds.
export interface ModuleScopeNames {
  readonly hasAccessor: (name: string) => boolean;
  readonly isBound: (name: string) => boolean;
}

// The edits that make `code`'s free references to module bindings go through `SCOPE_PARAM`.
function scopeEdits(
  references: CodeReferences,
  scope: ModuleScopeNames,
): { start: number; end: number; text: string }[] {
  const edits: { start: number; end: number; text: string }[] = [];
  for (const ref of references.free) {
    if (!scope.hasAccessor(ref.name)) {
      if (scope.isBound(ref.name)) throw new TopLevelOnlyBinding(ref.name);
      continue; // a global
    }
    // Each use has its own form, so that `asWritten` finds them exactly.
    const keyed = `${SCOPE_PARAM}[${JSON.stringify(ref.name)}]`;
    let text = `${SCOPE_PARAM}.${ref.name}`;
    if (ref.use === "shorthand") text = `${ref.name}: ${keyed}`;
    else if (ref.use === "callee") text = ref.startsStatement ? `;(0,${keyed})` : `(0, ${keyed})`;
    edits.push({ start: ref.start, end: ref.end, text });
  }
  for (const span of references.dynamicImports)
    edits.push({ ...span, text: `${ENV_PARAM}.import` });
  for (const span of references.importMetas) edits.push({ ...span, text: `${ENV_PARAM}.meta` });
  return edits.sort((a, b) => a.start - b.start);
}

// `code` with its free references to module bindings going through `SCOPE_PARAM`.
function rewriteForScope(
  code: string,
  references: CodeReferences,
  scope: ModuleScopeNames,
): string {
  let out = "";
  let at = 0;
  for (const edit of scopeEdits(references, scope)) {
    out += code.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + code.slice(at);
}

const scopeParam = SCOPE_PARAM.replace("$", "\\$");
const envParam = ENV_PARAM.replace("$", "\\$");
const keyed = `${scopeParam}\\["([^"]+)"\\]`;
// The rewrite's forms, each with its original (statement-start callees first; a shorthand's key is its name).
const REWRITES: readonly (readonly [RegExp, string])[] = [
  [new RegExp(`;\\(0,${keyed}\\)`, "g"), "$1"],
  [new RegExp(`\\(0, ${keyed}\\)`, "g"), "$1"],
  [
    new RegExp(
      `(?<![\\p{ID_Continue}$])([\\p{ID_Continue}$\\u200c\\u200d]+): ${scopeParam}\\["\\1"\\]`,
      "gu",
    ),
    "$1",
  ],
  [new RegExp(`${scopeParam}\\.`, "g"), ""],
  [new RegExp(`${envParam}\\.import\\b`, "g"), "import"],
  [new RegExp(`${envParam}\\.meta\\b`, "g"), "import.meta"],
  // An unchanged static initialiser a reload does not run (./keptStatics.ts).
  [new RegExp(KEPT_PREFIX.replace(/[$?]/g, "\\$&"), "g"), ""],
];

// The text as written of code `rewriteForScope` rewrote (a method's or an
// initialiser's source, read back from the evaluated class), so that
// versions compare as the user wrote them. The names the rewrite uses are
// reserved, so its forms are found exactly.
export function asWritten(text: string): string {
  if (!text.includes("__metamorph$")) return text;
  let out = text;
  for (const [pattern, replacement] of REWRITES) out = out.replace(pattern, replacement);
  return out;
}

// Where an offset of evaluated code stands in the user's file, when it came from there.
export type CodeOrigin = (
  offset: number,
) => { source: string; line: number; column: number } | undefined;

// Lines `new Function` puts before its body, plus the body's first line (`return (`).
const HEADER_LINES = 3;

// The rewritten code, with an inline source map when `origin` says where its
// tokens came from (Node applies it to stack traces of evaluated code).
function rewritten(
  code: string,
  references: CodeReferences,
  scope: ModuleScopeNames,
  tokens: readonly number[],
  origin: CodeOrigin | undefined,
): string {
  if (origin === undefined) return rewriteForScope(code, references, scope);
  const anchors = tokens.filter((t) => origin(t) !== undefined);
  const fallback = anchors.length > 0 ? origin(anchors[0]!)! : undefined;
  if (fallback === undefined) return rewriteForScope(code, references, scope);
  const edits = scopeEdits(references, scope);
  const out = applyEdits(code, edits, anchors, (offset) => origin(offset) ?? fallback);
  const map = out.map as { mappings: string };
  return withInlineMap(out.code, { ...map, mappings: ";".repeat(HEADER_LINES) + map.mappings });
}

// The names rewritten code reads its module through, with their values: what
// another compiler of such code (the engine's, for field initialisers) must
// declare for it to run as `evaluateInScope` runs it.
export function scopeParameters(access: ScopeAccess): Record<string, unknown> {
  return { [SCOPE_PARAM]: access.bindings, [ENV_PARAM]: access };
}

// Evaluates the expression `code` as if written in the module that handed
// over `access` (`bound`: the names its scope binds). `new Function` sees
// the global scope only, never this module's.
export function evaluateInScope(
  access: ScopeAccess,
  bound: ReadonlySet<string>,
  sourceType: SourceType,
  code: string,
  origin?: CodeOrigin,
): unknown {
  const tokens: number[] = [];
  const program = parse(code, {
    ecmaVersion: "latest",
    sourceType,
    onToken: (token) => tokens.push(token.start),
  });
  const scope: ModuleScopeNames = {
    hasAccessor: (name) => Object.hasOwn(access.bindings, name),
    isBound: (name) => bound.has(name),
  };
  const body = rewritten(code, codeReferences(program), scope, tokens, origin);
  const directive = access.strict ? '"use strict"; ' : "";
  const make = new Function(SCOPE_PARAM, ENV_PARAM, `${directive}return (\n${body}\n);`) as (
    scope: Record<string, unknown>,
    env: ScopeAccess,
  ) => unknown;
  return make(access.bindings, access);
}
