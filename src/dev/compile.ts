/**
 * Reading a module's JavaScript for live reload (acorn; the JavaScript is
 * whatever tsx, Node or Vite's own transform produced, so no compiler is
 * needed here): parse errors with their position, and `topLevel`, an
 * inventory of the module's top-level statements (imports, classes,
 * functions, variables, other statements) used to diff two versions and to
 * evaluate new ones in the module's scope. Line numbers are the user's (read
 * through the module's source map, see ./sourceMap.ts).
 */
import type {
  BlockStatement,
  ClassDeclaration,
  FunctionDeclaration,
  Identifier,
  ImportDeclaration,
  ModuleDeclaration,
  Pattern,
  Program,
  Statement,
  VariableDeclaration,
} from "acorn";
import { parse } from "acorn";
import { contentHash } from "./common.js";
import { SourceProblem, type SourceType } from "./conventions.js";
import { type Origin, originOf, splitInlineMap } from "./sourceMap.js";

export { DEV_GLOBAL, SourceProblem, type SourceType } from "./conventions.js";

export { contentHash };

/** Names injected into instrumented modules (chosen not to collide with program names). */
export const MODULE_VAR = "__metamorph$module";
/** The query that asks the dev loader for a module's JavaScript instead of the module (./hooks.ts). */
export const SOURCE_QUERY = "metamorph-source";

/** A module's JavaScript, parsed, with the way back to the user's positions. */
export interface ParsedModule {
  /** The JavaScript without its inline source map. */
  readonly js: string;
  readonly program: Program;
  readonly origin: Origin;
  /** Start offsets of every token (anchors for a source map of a rewrite). */
  readonly tokens: readonly number[];
}

/** Parses JavaScript; a syntax error becomes a SourceProblem at the user's line and column. */
export function parseModule(
  code: string,
  file: string,
  sourceType: SourceType = "module",
): ParsedModule {
  const { code: js, map } = splitInlineMap(code);
  const origin = originOf(js, file, map);
  const tokens: number[] = [];
  try {
    const program = parse(js, {
      ecmaVersion: "latest",
      sourceType,
      allowHashBang: true,
      allowReturnOutsideFunction: sourceType === "script",
      onToken: (token) => tokens.push(token.start),
    });
    const parsed = { js, program, origin, tokens };
    nameDefaultClass(parsed, file);
    return parsed;
  } catch (error) {
    const pos = (error as { pos?: number }).pos ?? 0;
    const at = origin(pos);
    const message = (error as Error).message.replace(/\s*\(\d+:\d+\)$/, "");
    throw new SourceProblem(`SyntaxError: ${message}`, file, at.line, at.column + 1);
  }
}

/**
 * `export default class { … }` binds no name to hold its handle: it was not
 * managed (review advZ5 3; the page reloaded at each edit). It gets the name
 * esbuild (so tsx, which names it so in TypeScript) gives it — `store_default`
 * for store.js, `src_default` for src/index.js — as a zero-width identifier
 * after `class`, so that every reader of the module sees a named class.
 */
function nameDefaultClass(parsed: ParsedModule, file: string): void {
  const statement = parsed.program.body.find((s) => s.type === "ExportDefaultDeclaration");
  if (statement?.type !== "ExportDefaultDeclaration") return;
  const { declaration } = statement;
  if (declaration.type !== "ClassDeclaration" || declaration.id) return;
  const parts = file.split(/[?#]/)[0]!.split(/[\\/]/);
  let base = parts.pop()!.replace(/\.[^.]*$/, "");
  if (base === "index") base = parts.pop() ?? base;
  const taken = topLevel(parsed).bindings;
  let name = `${base.replace(/[^\w$]+/g, "_").replace(/^\d+/, "")}_default`;
  while (taken.has(name)) name = `_${name}`;
  const at = declaration.start + "class".length;
  (declaration as { id: Identifier | null }).id = { type: "Identifier", name, start: at, end: at };
}

// ---------------------------------------------------------------------------
// Top-level inventory

export interface ImportBinding {
  readonly local: string;
  /** "default", "*" (namespace) or the imported name. */
  readonly imported: string;
}

export interface TopImport {
  readonly text: string;
  readonly line: number;
  readonly specifier: string;
  readonly bindings: readonly ImportBinding[];
}

export interface TopDeclaration {
  readonly name: string;
  /** The declaration's text, `export`/`export default` removed. */
  readonly text: string;
  readonly line: number;
  /** Offset in the JavaScript where the text ends (a class's `expression` ends there too). */
  readonly end: number;
}

export interface TopClass extends TopDeclaration {
  /** `class extends B { … }`: the class as an anonymous class expression. */
  readonly expression: string;
  /** The class declaration, and the statement holding it (an `export` around it, or itself). */
  readonly node: ClassDeclaration;
  readonly statement: Statement | ModuleDeclaration;
}

export interface TopVariable extends TopDeclaration {
  readonly kind: "let" | "const" | "var";
  /** Every name the statement declares (destructuring included). */
  readonly names: readonly string[];
}

export interface TopStatement {
  readonly kind: "import" | "class" | "function" | "variable" | "other";
  /** Names the statement binds. */
  readonly names: readonly string[];
  /** Text without `export`/`export default`; a class declaration as a class expression for "class". */
  readonly text: string;
  readonly line: number;
  /** Offset in the JavaScript where the text ends. */
  readonly end: number;
}

export interface TopLevel {
  /** Every runtime statement in source order. */
  readonly statements: readonly TopStatement[];
  readonly imports: readonly TopImport[];
  readonly classes: ReadonlyMap<string, TopClass>;
  readonly functions: ReadonlyMap<string, TopDeclaration>;
  /** By statement: one entry per variable statement, keyed by its first declared name. */
  readonly variables: ReadonlyMap<string, TopVariable>;
  /** Other statements (expressions, `export { … }`, …), text with its line. */
  readonly others: readonly { readonly text: string; readonly line: number }[];
  /** Every name bound in the module scope. */
  readonly bindings: ReadonlySet<string>;
}

/** Every name a binding pattern declares (destructuring included). */
export function patternNames(pattern: Pattern, out: string[]): void {
  switch (pattern.type) {
    case "Identifier":
      out.push(pattern.name);
      break;
    case "ObjectPattern":
      for (const p of pattern.properties) {
        patternNames(p.type === "RestElement" ? p.argument : p.value, out);
      }
      break;
    case "ArrayPattern":
      for (const element of pattern.elements) if (element) patternNames(element, out);
      break;
    case "AssignmentPattern":
      patternNames(pattern.left, out);
      break;
    case "RestElement":
      patternNames(pattern.argument, out);
      break;
    default:
      break;
  }
}

function importOf(node: ImportDeclaration, text: string, line: number): TopImport {
  const bindings = node.specifiers.map((s): ImportBinding => {
    if (s.type === "ImportDefaultSpecifier") return { local: s.local.name, imported: "default" };
    if (s.type === "ImportNamespaceSpecifier") return { local: s.local.name, imported: "*" };
    const imported = s.imported.type === "Identifier" ? s.imported.name : String(s.imported.value);
    return { local: s.local.name, imported };
  });
  return { text, line, specifier: String(node.source.value), bindings };
}

/** The declaration a statement makes, `export` and `export default` looked through. */
function declarationOf(
  statement: Statement | ModuleDeclaration,
): ClassDeclaration | FunctionDeclaration | VariableDeclaration | undefined {
  const inner =
    statement.type === "ExportNamedDeclaration" || statement.type === "ExportDefaultDeclaration"
      ? statement.declaration
      : statement;
  if (!inner) return undefined;
  if (inner.type === "ClassDeclaration" || inner.type === "FunctionDeclaration") {
    return inner.id ? (inner as ClassDeclaration | FunctionDeclaration) : undefined;
  }
  return inner.type === "VariableDeclaration" ? inner : undefined;
}

/**
 * The statements that make a module's top level, and where code may be put
 * before them (after a shebang and the directive prologue, so that a
 * `"use strict"` stays a directive). tsx compiles TypeScript for `require`
 * into `__filename="…";(()=>{ … })()`: there the module's top level is the
 * arrow's body (its scope keeps the module's `const require = …` from
 * clashing with CommonJS's own parameters).
 */
export function moduleBody(parsed: ParsedModule): {
  statements: (Statement | ModuleDeclaration)[];
  start: number;
} {
  const { program, js } = parsed;
  const wrapped = tsxRequireWrapper(program);
  const statements = wrapped ? wrapped.body : program.body;
  let start = wrapped ? wrapped.start + 1 : js.startsWith("#!") ? lineEnd(js) : 0;
  for (const statement of statements) {
    if (statement.type !== "ExpressionStatement" || statement.directive === undefined) break;
    start = statement.end;
  }
  return { statements, start };
}

function lineEnd(js: string): number {
  const eol = js.indexOf("\n");
  return eol < 0 ? js.length : eol + 1;
}

/** The block of tsx's `__filename="…";(()=>{ … })()`, if that is the whole program. */
function tsxRequireWrapper(program: Program): BlockStatement | undefined {
  const [assignment, call, ...rest] = program.body;
  if (rest.length > 0 || assignment?.type !== "ExpressionStatement") return undefined;
  const target = assignment.expression;
  if (target.type !== "AssignmentExpression" || target.left.type !== "Identifier") return undefined;
  if (target.left.name !== "__filename" || call?.type !== "ExpressionStatement") return undefined;
  const invoked = call.expression;
  if (invoked.type !== "CallExpression" || invoked.arguments.length > 0) return undefined;
  const arrow = invoked.callee;
  if (arrow.type !== "ArrowFunctionExpression" || arrow.async || arrow.params.length > 0) {
    return undefined;
  }
  return arrow.body.type === "BlockStatement" ? arrow.body : undefined;
}

/** The top-level statements of a parsed module. */
export function topLevel(parsed: ParsedModule): TopLevel {
  const { js, origin } = parsed;
  const top = {
    statements: [] as TopStatement[],
    imports: [] as TopImport[],
    classes: new Map<string, TopClass>(),
    functions: new Map<string, TopDeclaration>(),
    variables: new Map<string, TopVariable>(),
    others: [] as { text: string; line: number }[],
    bindings: new Set<string>(),
  };
  for (const statement of moduleBody(parsed).statements) {
    const text = js.slice(statement.start, statement.end);
    const line = origin(statement.start).line;
    const declaration = declarationOf(statement);
    if (statement.type === "ImportDeclaration") {
      const imported = importOf(statement, text, line);
      const names = imported.bindings.map((b) => b.local);
      top.imports.push(imported);
      top.statements.push({ kind: "import", names, text, line, end: statement.end });
      for (const n of names) top.bindings.add(n);
    } else if (declaration?.type === "ClassDeclaration") {
      const name = declaration.id.name;
      const expression = `class${js.slice(declaration.id.end, declaration.end)}`;
      const own = js.slice(declaration.start, declaration.end);
      const { end } = declaration;
      top.classes.set(name, {
        name,
        text: own,
        line,
        end,
        expression,
        node: declaration,
        statement,
      });
      top.statements.push({ kind: "class", names: [name], text: expression, line, end });
      top.bindings.add(name);
    } else if (declaration?.type === "FunctionDeclaration") {
      const name = declaration.id.name;
      const own = js.slice(declaration.start, declaration.end);
      const { end } = declaration;
      top.functions.set(name, { name, text: own, line, end });
      top.statements.push({ kind: "function", names: [name], text: own, line, end });
      top.bindings.add(name);
    } else if (declaration?.type === "VariableDeclaration") {
      const names: string[] = [];
      for (const d of declaration.declarations) patternNames(d.id, names);
      const own = js.slice(declaration.start, declaration.end);
      const kind =
        declaration.kind === "let" || declaration.kind === "var" ? declaration.kind : "const";
      const { end } = declaration;
      const variable = { name: names[0] ?? "", text: own, line, end, kind, names } as const;
      if (names.length > 0) top.variables.set(variable.name, variable);
      top.statements.push({ kind: "variable", names, text: own, line, end });
      for (const n of names) top.bindings.add(n);
    } else {
      top.others.push({ text, line });
      top.statements.push({ kind: "other", names: [], text, line, end: statement.end });
    }
  }
  return top;
}
