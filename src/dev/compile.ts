/**
 * Source handling for live reload, shared by the module loader (which runs in
 * Node's loader thread) and the dev runtime (main thread):
 *  - `compileModule`: TypeScript → JavaScript with one compiler and one set of
 *    options for the first load and every reload, so that a class reloaded
 *    from a new version of a file is compiled exactly like the first one;
 *  - `instrumentModule`: rewrites top-level class declarations so that the
 *    module binding becomes the class handle (`class X {…}` → `let X = class
 *    {…}; X = dev.manage("X", X);`) and registers a scope evaluator (a direct
 *    `eval` inside the module) through which later versions of its classes
 *    and functions are evaluated in the module's own scope — so module-level
 *    state is kept and no new module instance is ever created. Edits keep
 *    every line where it was (source maps and stack traces stay right);
 *  - `topLevel`: an inventory of a module's top-level statements (imports,
 *    classes, functions, variables, other statements), used to diff versions.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type ts from "typescript";
import { contentHash } from "./common.js";

export { contentHash };

type TypeScript = typeof ts;
let compiler: TypeScript | undefined;

export function typescript(): TypeScript {
  compiler ??= createRequire(import.meta.url)("typescript") as TypeScript;
  return compiler;
}

/** The global through which instrumented modules reach the dev runtime. */
export const DEV_GLOBAL = "metamorph.dev";
/** Names injected into instrumented modules (chosen not to collide with program names). */
export const MODULE_VAR = "__metamorph$module";
export const CODE_PARAM = "__metamorph$code";

/** A compile or parse problem with its position in the source (1-based line and column). */
export class SourceProblem extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = "SourceProblem";
  }
}

export function isTypeScriptFile(fileName: string): boolean {
  return /\.(ts|mts|cts|tsx)$/i.test(fileName);
}

function scriptKind(t: TypeScript, fileName: string): ts.ScriptKind {
  if (/\.tsx$/i.test(fileName)) return t.ScriptKind.TSX;
  if (/\.(ts|mts|cts)$/i.test(fileName)) return t.ScriptKind.TS;
  if (/\.jsx$/i.test(fileName)) return t.ScriptKind.JSX;
  return t.ScriptKind.JS;
}

export function parseSource(source: string, fileName: string): ts.SourceFile {
  const t = typescript();
  return t.createSourceFile(fileName, source, t.ScriptTarget.Latest, true, scriptKind(t, fileName));
}

/** The first syntax error of a parsed file, as a SourceProblem, or undefined. */
export function syntaxProblem(file: ts.SourceFile): SourceProblem | undefined {
  const t = typescript();
  const diagnostics = (file as ts.SourceFile & { parseDiagnostics?: readonly ts.Diagnostic[] })
    .parseDiagnostics;
  const first = diagnostics?.[0];
  if (first === undefined) return undefined;
  const { line, character } = file.getLineAndCharacterOfPosition(first.start ?? 0);
  return new SourceProblem(
    `SyntaxError: ${t.flattenDiagnosticMessageText(first.messageText, "\n")}`,
    file.fileName,
    line + 1,
    character + 1,
  );
}

const optionsByDirectory = new Map<string, ts.CompilerOptions>();

/** The compiler options of the nearest tsconfig.json, adjusted for running ES modules. */
function compilerOptionsFor(fileName: string): ts.CompilerOptions {
  const t = typescript();
  const directory = dirname(fileName);
  const cached = optionsByDirectory.get(directory);
  if (cached) return cached;
  let options: ts.CompilerOptions = {};
  const configFile = t.findConfigFile(directory, t.sys.fileExists);
  if (configFile !== undefined) {
    const read = t.readConfigFile(configFile, t.sys.readFile);
    const raw = (read.config as { compilerOptions?: object } | undefined)?.compilerOptions ?? {};
    options = t.convertCompilerOptionsFromJson(raw, dirname(configFile)).options;
  }
  const target =
    options.target === undefined || options.target < t.ScriptTarget.ES2022
      ? t.ScriptTarget.ES2022
      : options.target;
  const adjusted: ts.CompilerOptions = {
    ...options,
    target,
    module: t.ModuleKind.ESNext,
    moduleResolution: t.ModuleResolutionKind.Bundler,
    isolatedModules: true,
    noEmit: false,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: false,
    emitDeclarationOnly: false,
  };
  optionsByDirectory.set(directory, adjusted);
  return adjusted;
}

/**
 * Compiles a module to JavaScript (TypeScript is transpiled, JavaScript is
 * returned unchanged). Throws a SourceProblem on a syntax error.
 */
export function compileModule(source: string, fileName: string): string {
  const parsed = parseSource(source, fileName);
  const problem = syntaxProblem(parsed);
  if (problem) throw problem;
  if (!isTypeScriptFile(fileName)) return source;
  const t = typescript();
  const out = t.transpileModule(source, {
    fileName,
    compilerOptions: compilerOptionsFor(fileName),
    reportDiagnostics: false,
  });
  return out.outputText;
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
  readonly specifier: string;
  readonly bindings: readonly ImportBinding[];
}

export interface TopDeclaration {
  readonly name: string;
  /** The statement's text, `export`/`export default` removed. */
  readonly text: string;
  readonly line: number;
}

export interface TopClass extends TopDeclaration {
  /** `class extends B { … }`: the class as an anonymous class expression. */
  readonly expression: string;
  /** Whether the loader manages it (a named class declaration without decorators). */
  readonly managed: boolean;
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
}

export interface TopLevel {
  /** Every runtime statement in source order. */
  readonly statements: readonly TopStatement[];
  readonly imports: readonly TopImport[];
  readonly classes: ReadonlyMap<string, TopClass>;
  readonly functions: ReadonlyMap<string, TopDeclaration>;
  /** By statement: one entry per variable statement, keyed by its first declared name. */
  readonly variables: ReadonlyMap<string, TopVariable>;
  /** Other statements (expressions, exports, enums, …), text with its line. */
  readonly others: readonly { readonly text: string; readonly line: number }[];
  /** Every name bound in the module scope. */
  readonly bindings: ReadonlySet<string>;
}

function hasModifier(t: TypeScript, node: ts.Node, kind: ts.SyntaxKind): boolean {
  return (t.canHaveModifiers(node) && t.getModifiers(node)?.some((m) => m.kind === kind)) === true;
}

function hasDecorators(t: TypeScript, node: ts.Node): boolean {
  return t.canHaveDecorators(node) && (t.getDecorators(node)?.length ?? 0) > 0;
}

function bindingNames(t: TypeScript, name: ts.BindingName, out: string[]): void {
  if (t.isIdentifier(name)) {
    out.push(name.text);
    return;
  }
  for (const element of name.elements) {
    if (t.isBindingElement(element)) bindingNames(t, element.name, out);
  }
}

const stripExport = (text: string) => text.replace(/^export\s+(default\s+)?/, "");

function lineOf(file: ts.SourceFile, node: ts.Node): number {
  return file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
}

function importOf(t: TypeScript, statement: ts.ImportDeclaration, text: string): TopImport {
  const clause = statement.importClause;
  const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
  const list: ImportBinding[] = [];
  if (clause && !clause.isTypeOnly) {
    if (clause.name) list.push({ local: clause.name.text, imported: "default" });
    const named = clause.namedBindings;
    if (named && t.isNamespaceImport(named)) list.push({ local: named.name.text, imported: "*" });
    if (named && t.isNamedImports(named)) {
      for (const element of named.elements) {
        if (element.isTypeOnly) continue;
        list.push({
          local: element.name.text,
          imported: (element.propertyName ?? element.name).text,
        });
      }
    }
  }
  return { text, specifier, bindings: list };
}

function variableOf(
  t: TypeScript,
  statement: ts.VariableStatement,
  text: string,
  line: number,
): TopVariable {
  const flags = statement.declarationList.flags;
  const kind = flags & t.NodeFlags.Const ? "const" : flags & t.NodeFlags.Let ? "let" : "var";
  const names: string[] = [];
  for (const d of statement.declarationList.declarations) bindingNames(t, d.name, names);
  return { name: names[0] ?? "", text, line, kind, names };
}

/** The top-level statements of a parsed module. */
export function topLevel(file: ts.SourceFile): TopLevel {
  const t = typescript();
  const imports: TopImport[] = [];
  const classes = new Map<string, TopClass>();
  const functions = new Map<string, TopDeclaration>();
  const variables = new Map<string, TopVariable>();
  const others: { text: string; line: number }[] = [];
  const bindings = new Set<string>();
  const statements: TopStatement[] = [];
  for (const statement of file.statements) {
    const text = statement.getText(file);
    const line = lineOf(file, statement);
    if (t.isImportDeclaration(statement)) {
      const imported = importOf(t, statement, text);
      for (const b of imported.bindings) bindings.add(b.local);
      imports.push(imported);
      statements.push({ kind: "import", names: imported.bindings.map((b) => b.local), text, line });
      continue;
    }
    if (t.isClassDeclaration(statement) && statement.name) {
      const name = statement.name.text;
      const body = file.text.slice(statement.name.end, statement.end);
      statements.push({ kind: "class", names: [name], text: `class${body}`, line });
      classes.set(name, {
        name,
        text: stripExport(text),
        line,
        expression: `class${body}`,
        managed:
          !hasDecorators(t, statement) && !hasModifier(t, statement, t.SyntaxKind.DeclareKeyword),
      });
      bindings.add(name);
      continue;
    }
    if (t.isFunctionDeclaration(statement) && statement.name && statement.body) {
      functions.set(statement.name.text, {
        name: statement.name.text,
        text: stripExport(text),
        line,
      });
      statements.push({
        kind: "function",
        names: [statement.name.text],
        text: stripExport(text),
        line,
      });
      bindings.add(statement.name.text);
      continue;
    }
    if (
      t.isVariableStatement(statement) &&
      !hasModifier(t, statement, t.SyntaxKind.DeclareKeyword)
    ) {
      const variable = variableOf(t, statement, stripExport(text), line);
      for (const n of variable.names) bindings.add(n);
      if (variable.names.length > 0) variables.set(variable.name, variable);
      statements.push({ kind: "variable", names: variable.names, text: variable.text, line });
      continue;
    }
    if (
      (t.isEnumDeclaration(statement) || t.isModuleDeclaration(statement)) &&
      t.isIdentifier(statement.name)
    ) {
      bindings.add(statement.name.text);
    }
    if (
      t.isInterfaceDeclaration(statement) ||
      t.isTypeAliasDeclaration(statement) ||
      (t.isFunctionDeclaration(statement) && !statement.body)
    ) {
      continue;
    }
    others.push({ text, line });
    statements.push({ kind: "other", names: [], text, line });
  }
  return { statements, imports, classes, functions, variables, others, bindings };
}

// ---------------------------------------------------------------------------
// Instrumentation (the loader's rewrite)

export interface Instrumented {
  readonly code: string;
  /** Classes whose module binding becomes a class handle. */
  readonly managed: readonly string[];
}

/**
 * Rewrites a compiled module (JavaScript): every managed class declaration
 * becomes a `let` binding assigned the class handle right after the class is
 * defined, and the module registers itself with the dev runtime (when one is
 * installed) together with an evaluator for code in its scope. Every edit
 * stays on the line it replaces.
 */
export function instrumentModule(js: string, fileName: string, hash: string): Instrumented {
  const t = typescript();
  const file = t.createSourceFile(fileName, js, t.ScriptTarget.Latest, true, t.ScriptKind.JS);
  const inventory = topLevel(file);
  const edits: { at: number; end: number; text: string }[] = [];
  const managed: string[] = [];
  for (const statement of file.statements) {
    if (!t.isClassDeclaration(statement) || !statement.name) continue;
    const name = statement.name.text;
    if (!inventory.classes.get(name)?.managed) continue;
    const isDefault = hasModifier(t, statement, t.SyntaxKind.DefaultKeyword);
    const isExport = hasModifier(t, statement, t.SyntaxKind.ExportKeyword);
    // From the first modifier (or `class`) up to the end of the name.
    const start = statement.getStart(file);
    const prefix = isExport && !isDefault ? "export " : "";
    edits.push({ at: start, end: statement.name.end, text: `${prefix}let ${name} = class` });
    const tail = `;${name} = ${MODULE_VAR}?.manage(${JSON.stringify(name)}, ${name}) ?? ${name};${
      isDefault ? `export { ${name} as default };` : ""
    }`;
    edits.push({ at: statement.end, end: statement.end, text: tail });
    managed.push(name);
  }
  let code = js;
  for (const edit of edits.sort((a, b) => b.at - a.at)) {
    code = code.slice(0, edit.at) + edit.text + code.slice(edit.end);
  }
  const names = [...inventory.bindings];
  const header = `const ${MODULE_VAR} = globalThis[Symbol.for(${JSON.stringify(DEV_GLOBAL)})]?.module(import.meta.url, (${CODE_PARAM}) => eval(${CODE_PARAM}), ${JSON.stringify(names)}, ${JSON.stringify(hash)});`;
  // The header goes on the first line (after a shebang), so no line moves.
  if (code.startsWith("#!")) {
    const eol = code.indexOf("\n");
    code =
      eol < 0 ? `${code}\n${header}` : `${code.slice(0, eol + 1)}${header}${code.slice(eol + 1)}`;
  } else {
    code = header + code;
  }
  return { code, managed };
}
