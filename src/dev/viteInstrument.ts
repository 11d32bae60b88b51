/**
 * The Vite plugin's rewrite of an app module (JavaScript, after Vite's own
 * transforms): each class binding becomes a class handle managed by the page
 * runtime (./vitePageRuntime.ts), its other top-level statements are guarded so
 * that a later version runs none it did not change (./viteTopLevel.ts), the
 * module accepts its own hot updates, and each class is handed over with its parsed
 * source — computed here, on the dev server, so that the page never loads a
 * parser. The map returned is relative to the input; Vite chains it with the
 * maps of the earlier transforms.
 */
import { SourceMap } from "node:module";
import { parseClassSource } from "../mop/source/parse.js";
import {
  contentHash,
  moduleBody,
  type ParsedModule,
  parseModule,
  patternNames,
  SourceProblem,
  type TopLevel,
  topLevel,
} from "./compile.js";
import { classEdits } from "./instrument.js";
import { applyEdits, originOf } from "./sourceMap.js";
import { initialiserHazards } from "./initialisers.js";
import { type HandedClassSource, handedClassSource } from "./vitePageClassSource.js";
import { codeReferences } from "./scopeReferences.js";
import type { GuardedStatement } from "./vitePageTopLevel.js";
import { guardStatics, guardTopLevel } from "./viteTopLevel.js";

export const CLIENT_ID = "virtual:metamorph/client";
const CLIENT = "__metamorph$client";
const MODULE = "__metamorph$module";
const MIGRATIONS = "__metamorph$migrations";

export interface ViteInstrumented {
  readonly code: string;
  readonly map: object;
  readonly classes: readonly string[];
  /** Exports nothing but classes (the others are compared after each hot update). */
  readonly selfAccepting: boolean;
}

/**
 * What the module exports besides its classes: exported name → local binding
 * (compared after a hot update, see ./vitePageRuntime.ts `accepted`), or why they
 * cannot be compared (a re-export, an exported expression).
 */
export function otherExports(
  parsed: ParsedModule,
  top: TopLevel,
): { readonly locals: Record<string, string>; readonly opaque: string | undefined } {
  const locals: Record<string, string> = {};
  let opaque: string | undefined;
  const add = (exported: string, local: string) => {
    if (!top.classes.has(local)) locals[exported] = local;
  };
  for (const statement of parsed.program.body) {
    if (statement.type === "ExportAllDeclaration") opaque ??= "it re-exports another module";
    if (statement.type === "ExportNamedDeclaration") {
      const d = statement.declaration;
      if (statement.source) opaque ??= "it re-exports another module";
      else if (d?.type === "FunctionDeclaration") add(d.id.name, d.id.name);
      else if (d?.type === "VariableDeclaration") {
        const names: string[] = [];
        for (const declarator of d.declarations) patternNames(declarator.id, names);
        for (const name of names) add(name, name);
      }
      for (const s of statement.specifiers) {
        const exported =
          s.exported.type === "Identifier" ? s.exported.name : String(s.exported.value);
        if (s.local.type === "Identifier") add(exported, s.local.name);
      }
    }
    if (statement.type === "ExportDefaultDeclaration") {
      const d = statement.declaration;
      if (d.type === "Identifier") add("default", d.name);
      else if (d.type === "FunctionDeclaration" && d.id) add("default", d.id.name);
      else if (d.type !== "ClassDeclaration")
        opaque ??= "it exports a value by expression (export default …)";
    }
  }
  return { locals, opaque };
}

/** The parsed source of a class, as the page would read it from `Function.prototype.toString`. */
function classSourceOf(expression: string): HandedClassSource | undefined {
  try {
    return handedClassSource(parseClassSource(expression));
  } catch {
    return undefined; // the page reports the class as unmanaged
  }
}

/**
 * The other exports (exported name → local, of `locals`) that are functions
 * reading an import or a reassigned variable of the module, themselves or
 * through its other functions: when a module it imports changes, the
 * importers' copies read the earlier one (see ./vitePageExports.ts `handOn`).
 */
function importingExports(
  parsed: ParsedModule,
  top: TopLevel,
  locals: Readonly<Record<string, string>>,
): string[] {
  const reads = new Set<string>();
  for (const i of top.imports) for (const b of i.bindings) reads.add(b.local);
  for (const v of top.variables.values())
    if (v.kind !== "const") for (const n of v.names) reads.add(n);
  const uses = new Map<string, string[]>();
  for (const statement of moduleBody(parsed).statements) {
    const d =
      statement.type === "ExportNamedDeclaration" || statement.type === "ExportDefaultDeclaration"
        ? statement.declaration
        : statement;
    if (d?.type === "FunctionDeclaration" && d.id) {
      uses.set(
        d.id.name,
        codeReferences(d).free.map((r) => r.name),
      );
    }
    // `const show = (n) => …`: made again by each version too (./viteTopLevel.ts).
    for (const v of d?.type === "VariableDeclaration" ? d.declarations : []) {
      const made =
        v.init?.type === "ArrowFunctionExpression" || v.init?.type === "FunctionExpression";
      if (made && v.id.type === "Identifier") {
        uses.set(
          v.id.name,
          codeReferences(v.init!).free.map((r) => r.name),
        );
      }
    }
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, names] of uses) {
      if (reads.has(name) || !names.some((n) => reads.has(n))) continue;
      reads.add(name);
      grew = true;
    }
  }
  return Object.keys(locals).filter((e) => uses.has(locals[e]!) && reads.has(locals[e]!));
}

/**
 * Whether a module is left as it is: it declares no class (not even one held
 * by a variable), and either has no top-level state or effect to keep (its
 * functions are made anew, as without the plugin) or handles its own hot
 * updates (a framework's, React Refresh's).
 */
function leftAlone(parsed: ParsedModule, top: TopLevel, table: readonly GuardedStatement[]) {
  if (top.classes.size > 0 || table.some(([, kind]) => kind === "c")) return false;
  return table.length === 0 || parsed.js.includes("import.meta.hot");
}

/**
 * Rewrites a module for the page runtime, or returns undefined when it has
 * nothing to manage (or does not parse: Vite reports that itself). A module
 * without classes is rewritten too when it has top-level state (review
 * advZ16 1): Vite evaluates it anew when it changes, and the classes that
 * import it (accepting their updates) went on with a second copy of its
 * variables and singletons; guarded, its new version takes them over. It
 * does not accept its own updates: Vite hands them to its importers.
 */
export function instrumentForVite(
  code: string,
  id: string,
  migrationsSpecifier: string | undefined,
  inputMap?: object,
): ViteInstrumented | undefined {
  let parsed: ParsedModule;
  try {
    parsed = parseModule(code, id);
  } catch (error) {
    if (error instanceof SourceProblem) return undefined;
    throw error;
  }
  const top = topLevel(parsed);
  // Vite's own transforms reformat the code: lines told to people are read through their map.
  const user = inputMap ? originOf(parsed.js, id, new SourceMap(inputMap as never)) : parsed.origin;
  const guarded = guardTopLevel(parsed, user, MODULE);
  if (leftAlone(parsed, top, guarded.table)) return undefined;
  const edits = classEdits(top, (name, binding) => {
    const cls = top.classes.get(name)!;
    const source = classSourceOf(cls.expression);
    // Read here too: the page has no parser, and warns with them when an edit adds such a field.
    const hazards = initialiserHazards(cls.node, user);
    // The setter: a class moved here from another module takes over that module's handle (./vitePageMoves.ts).
    return `${MODULE}.manage(${JSON.stringify(name)}, ${binding}, ${JSON.stringify(source ?? null)}, ${JSON.stringify(hazards)}, (v) => ${binding} = v)`;
  });
  edits.push(...guarded.edits, ...guardStatics(top, parsed.js, MODULE));
  const others = otherExports(parsed, top);
  const accepts = top.classes.size > 0 || guarded.table.some(([, kind]) => kind === "c");
  const selfAccepting =
    accepts && Object.keys(others.locals).length === 0 && others.opaque === undefined;
  const header =
    `import * as ${CLIENT} from ${JSON.stringify(CLIENT_ID)};` +
    (migrationsSpecifier
      ? `import * as ${MIGRATIONS} from ${JSON.stringify(migrationsSpecifier)};`
      : "") +
    `const ${MODULE} = ${CLIENT}.module(import.meta.url${guarded.table.length > 0 ? `, ${JSON.stringify(guarded.table)}` : ""});\n`;
  const scope = guarded.variables.map((name) => `${JSON.stringify(name)}: () => ${name}`);
  // The hash of the text tells the page a version evaluated again for a module it imports.
  const footer = `\n${MODULE}.scope({ ${scope.join(", ")} }, "${contentHash(code)}");${MODULE}.commit(${migrationsSpecifier ? MIGRATIONS : "undefined"});${accepts ? accept(parsed, top, others) : ""}\n`;
  const end = parsed.js.length;
  edits.push({ start: 0, end: 0, text: header }, { start: end, end, text: footer });
  const out = applyEdits(parsed.js, edits, parsed.tokens, parsed.origin);
  return { code: out.code, map: out.map, classes: [...top.classes.keys()], selfAccepting };
}

/**
 * The module's acceptance of its own hot updates: the old instance compares
 * its other exports with the new one's, and hands the update on to Vite when
 * they changed.
 */
function accept(parsed: ParsedModule, top: TopLevel, others: ReturnType<typeof otherExports>) {
  const previous = Object.entries(others.locals).map(([e, l]) => `${JSON.stringify(e)}: ${l}`);
  const importing = importingExports(parsed, top, others.locals);
  const extra = importing.length > 0 ? `, ${JSON.stringify(importing)}` : "";
  return `\nif (import.meta.hot) import.meta.hot.accept((next) => ${MODULE}.accepted(import.meta.hot, next, { ${previous.join(", ")} }, ${JSON.stringify(others.opaque ?? null)}${extra}));`;
}
