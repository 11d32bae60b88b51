/**
 * Preparing the reload of one module from its saved text, without changing
 * anything the program can see yet: what changed between the running version
 * and the saved one (compared as JavaScript), the new imports resolved in
 * the module's own context, the new versions of its classes and functions
 * evaluated in the module's scope (so they close over the same module state),
 * and the patch that makes the new classes the implementations of the
 * existing handles. The reloader commits it (./reloader.ts).
 */
import type { Constructor } from "../mop/createClass.js";
import { parseModule, SourceProblem, type TopLevel, topLevel } from "./compile.js";
import type { ImportLink, MigrationsState, ModuleGraph, ModuleRecord } from "./moduleGraph.js";
import {
  type ClassUpdate,
  type DevPlan,
  PrivateMembersChange,
  planClassUpdates,
  UnmanagedSuperclassChange,
} from "./plan.js";
import type { ClassChangeSummary } from "./common.js";
import { initialiserWarnings } from "./initialisers.js";
import { giveInitialisersModuleScope } from "./initialiserScope.js";
import { addClassesKeepingStatics, KEPT, type StaticsContext } from "./keptStatics.js";
import { evaluatedNames, refuseUnreachable } from "./scopeCheck.js";
import { MappedCode } from "./scopeCodeMap.js";
import {
  readOnceReason,
  staticsReadOnce,
  transplantMethods,
  unmanagedWarning,
} from "./unmanagedClasses.js";
import { type Changes, diffVersions, type Known } from "./versionChanges.js";

export interface PreparedReload {
  readonly builder: DevPlan["builder"];
  readonly summaries: ClassChangeSummary[];
  readonly functions: Record<string, unknown>;
  readonly assign: (functions: Record<string, unknown>) => void;
  readonly extras: Record<string, unknown>;
  readonly notes: string[];
  readonly warnings: string[];
  readonly used: string[];
  readonly hasClassChanges: boolean;
  /** Each replaces an unmanaged class's methods (and plain statics), returning the warning that says so. */
  readonly unmanagedPatches: (() => string)[];
  /** The unmanaged classes whose methods those patches replace. */
  readonly unmanaged: readonly string[];
  readonly importedFrom: ReadonlyMap<string, ImportLink>;
  readonly setExtra: (name: string, value: unknown) => void;
  /** Changes only a restart applies. */
  readonly restartReasons: readonly string[];
  /** The module's migrations module, as messages name it. */
  readonly migrationsFile: string;
  /** Functions and variables it removes, with their text, and removed ones it declares again. */
  readonly removed: ReadonlyMap<string, string>;
  readonly restored: readonly string[];
}

export interface PrepareContext {
  readonly graph: ModuleGraph;
  readonly rel: (file: string) => string;
}

const EXTRAS = "__metamorph$extras";
const MANAGE = "__metamorph$manage";

/** What the code evaluated in the module's scope returns. */
interface Evaluated {
  extras: Record<string, unknown>;
  classes: Record<string, Constructor>;
  unmanaged: Record<string, Function>;
  unmanagedLive: Record<string, Function>;
  functions: Record<string, unknown>;
  assign: (f: Record<string, unknown>) => void;
  setExtra: (name: string, value: unknown) => void;
}

/** An error with the line to print it at. */
function at(error: unknown, file: string, line: number): Error {
  return Object.assign(error instanceof Error ? error : new Error(String(error)), {
    location: { file, line },
  });
}

export async function prepareReload(
  context: PrepareContext,
  record: ModuleRecord,
  js: string,
  migrations: MigrationsState | undefined,
): Promise<PreparedReload> {
  const nextModule = parseModule(js, record.file, record.sourceType);
  const next = topLevel(nextModule);
  const previousModule = parseModule(record.js, record.file, record.sourceType);
  const previous = topLevel(previousModule);
  const known: Known = (name) => record.bindings.has(name) || record.extras.has(name);
  const changes = diffVersions(record, previous, next, known);
  const changed = [...changes.classes, ...changes.unmanaged, ...changes.functions];
  // Before anything runs, new imports included.
  refuseUnreachable(record, nextModule, evaluatedNames(next, changed, known));
  const { imported, importedFrom } = await resolveNewImports(context.graph, record, next);
  const warnings: string[] = [];
  const extrasNames = [...record.extras.keys(), ...Object.keys(imported)];
  const statics = { js: nextModule.js, previous, previousJs: previousModule.js };
  const code = scopeCode(record, next, changes, extrasNames, known, warnings, statics);
  const extrasValues = Object.fromEntries([...record.extras, ...Object.entries(imported)]);
  const newClasses: string[] = [];
  /** New classes registered by an earlier attempt that failed: updated like changed ones. */
  const redeclared: ClassUpdate[] = [];
  const manage = (name: string, cls: Function) => {
    const existing = record.classes.get(name);
    if (existing) {
      redeclared.push({ name, handle: existing, implementation: cls });
      return existing;
    }
    const handle = context.graph.manage(record, name, cls);
    if (handle !== cls) newClasses.push(name);
    return handle;
  };
  let evaluated: Evaluated;
  try {
    const wrapper = record.evaluate(code.text, code.origin(nextModule.origin)) as (
      extras: Record<string, unknown>,
      manage: (name: string, cls: Function) => Function,
    ) => Evaluated;
    evaluated = wrapper(extrasValues, manage);
  } catch (error) {
    const line = locateEvaluationLine(error, next, changes.classes, changes.functions);
    throw at(error, record.file, line ?? 1);
  }
  const updates = classUpdates(context, record, changes, evaluated, redeclared, extrasValues);
  const plan = planReload(context, record, next, updates, migrations, extrasNames, extrasValues);
  warnings.push(...plan.warnings, ...initialiserWarnings(plan.summaries, next, nextModule.origin));
  for (const name of newClasses) plan.summaries.push(newClassSummary(name));
  const unmanagedPatches = changes.unmanaged.map((name) => {
    const live = evaluated.unmanagedLive[name]!;
    const replacement = evaluated.unmanaged[name]!;
    // A static a package class read once for the class (Lit's styles): only a restart applies it.
    const readOnce = staticsReadOnce(replacement, live);
    if (readOnce !== undefined) changes.restartReasons.push(readOnceReason(name, readOnce));
    const reason = record.unmanaged.get(name) ?? "not a class declaration";
    return () => unmanagedWarning(name, reason, transplantMethods(replacement, live));
  });
  return {
    builder: plan.builder,
    summaries: plan.summaries,
    functions: evaluated.functions,
    assign: evaluated.assign,
    extras: evaluated.extras,
    notes: changes.notes,
    warnings,
    used: plan.used,
    hasClassChanges: plan.changesClasses,
    unmanagedPatches,
    unmanaged: changes.unmanaged,
    importedFrom,
    setExtra: evaluated.setExtra,
    restartReasons: changes.restartReasons,
    migrationsFile: migrationsFileName(context, record, migrations),
    removed: changes.removed,
    restored: changes.restored,
  };
}

/**
 * The handles of the classes to update with their new implementations,
 * whose initialisers get the module's scope (./initialiserScope.ts).
 */
function classUpdates(
  context: PrepareContext,
  record: ModuleRecord,
  changes: Changes,
  evaluated: Evaluated,
  redeclared: readonly ClassUpdate[],
  extrasValues: Record<string, unknown>,
): ClassUpdate[] {
  const updates = [
    ...changes.classes.map((name) => ({
      name,
      handle: record.classes.get(name)!,
      implementation: evaluated.classes[name]!,
    })),
    ...redeclared,
  ];
  const scope = { ...extrasValues, ...evaluated.extras };
  const handles = updates.map((u) => u.handle);
  giveInitialisersModuleScope(context.graph.namespace, handles, record.access, scope);
  return updates;
}

/** New imports: resolved now, in the module's own context. */
async function resolveNewImports(
  graph: ModuleGraph,
  record: ModuleRecord,
  jsTop: TopLevel,
): Promise<{ imported: Record<string, unknown>; importedFrom: Map<string, ImportLink> }> {
  const known: Known = (name) => record.bindings.has(name) || record.extras.has(name);
  const imported: Record<string, unknown> = {};
  const importedFrom = new Map<string, ImportLink>();
  for (const declaration of jsTop.imports) {
    const fresh = declaration.bindings.filter((b) => !known(b.local));
    if (fresh.length === 0) continue;
    const spec = JSON.stringify(declaration.specifier);
    const namespace = (await (record.evaluate(`import(${spec})`) as Promise<unknown>)) as Record<
      string,
      unknown
    >;
    const target = graph.moduleOfSpecifier(record, declaration.specifier);
    for (const b of fresh) {
      if (target && b.imported !== "*") {
        importedFrom.set(b.local, { file: target.file, name: b.imported });
      }
      if (b.imported === "*") imported[b.local] = namespace;
      else if (b.imported in namespace) imported[b.local] = namespace[b.imported];
      else if (target?.extras.has(b.imported)) imported[b.local] = target.extras.get(b.imported);
      else {
        const missing = new SyntaxError(
          `module ${declaration.specifier} has no export named ${b.imported}`,
        );
        throw at(missing, record.file, declaration.line);
      }
    }
  }
  return { imported, importedFrom };
}

/** `let { a, b } = extras;`: the names later versions added, in the scope of the evaluated code. */
function extrasPrologue(extrasNames: readonly string[]): string {
  return extrasNames.length > 0 ? `let { ${extrasNames.join(", ")} } = ${EXTRAS};` : "";
}

/**
 * The code evaluated in the module's scope: a function of the extras and the
 * `manage` callback that declares the new names and returns the new classes
 * and functions, with setters for the module bindings they replace. Its
 * pieces of the saved JavaScript keep the way back to it (MappedCode).
 */
function scopeCode(
  record: ModuleRecord,
  jsTop: TopLevel,
  changes: Changes,
  extrasNames: readonly string[],
  known: Known,
  warnings: string[],
  /** The saved and the running JavaScript, for the static initialisers that did not change. */
  statics: StaticsContext,
): MappedCode {
  const declared: string[] = [];
  /** Names this code declares that a later save may assign (setExtra): functions, `let` and `var`. */
  const assignable: string[] = [];
  const code = new MappedCode().add(`(function (${EXTRAS}, ${MANAGE}) {\n`);
  code.add(`${extrasPrologue(extrasNames)}\nconst ${KEPT} = true;\n`);
  for (const statement of jsTop.statements) {
    const fresh = statement.names.filter((n) => !known(n));
    if (statement.kind === "import" || statement.kind === "other" || fresh.length === 0) continue;
    if (fresh.length < statement.names.length) {
      warnings.push(
        `line ${statement.line}: ${statement.names.join(", ")} mixes new and existing names; the new ones are not defined until a restart`,
      );
      continue;
    }
    if (statement.kind === "class") {
      const name = statement.names[0]!;
      code.add(`let ${name} = `).addFrom(statement.text, statement.end);
      code.add(`;\n${name} = ${MANAGE}(${JSON.stringify(name)}, ${name});\n`);
    } else {
      code.addFrom(statement.text, statement.end).add("\n");
    }
    declared.push(...statement.names);
    const kind =
      statement.kind === "variable"
        ? jsTop.variables.get(statement.names[0]!)?.kind
        : statement.kind;
    if (kind === "function" || kind === "let" || kind === "var")
      assignable.push(...statement.names);
  }
  const entries = (names: readonly string[], value: (name: string) => [string, number]) => {
    names.forEach((name, i) => {
      const [text, end] = value(name);
      code.add(`${i > 0 ? ",\n" : ""}${JSON.stringify(name)}: `).addFrom(text, end);
    });
  };
  const classOf = (name: string): [string, number] => {
    const c = jsTop.classes.get(name);
    if (!c) throw new SourceProblem(`class ${name} could not be compiled`, record.file, 1, 1);
    return [c.expression, c.end];
  };
  const functionOf = (name: string): [string, number] => {
    const f = jsTop.functions.get(name)!;
    return [f.text, f.end];
  };
  const assignments = changes.functions.map((name) => `${name} = f[${JSON.stringify(name)}];`);
  const unmanagedLive = changes.unmanaged.map((name) => `${JSON.stringify(name)}: ${name}`);
  const setters = [...extrasNames, ...assignable].map(
    (n) => `case ${JSON.stringify(n)}: ${n} = v; break;`,
  );
  code.add(`return {\nextras: { ${declared.join(", ")} },\nclasses: { `);
  for (const name of changes.classes) classOf(name);
  addClassesKeepingStatics(code, changes.classes, jsTop, statics);
  code.add(" },\nunmanaged: { ");
  entries(changes.unmanaged, classOf);
  code.add(` },\nunmanagedLive: { ${unmanagedLive.join(", ")} },\nfunctions: { `);
  entries(changes.functions, functionOf);
  return code.add(
    [
      " },",
      `assign(f) { ${assignments.join(" ")} },`,
      `setExtra(n, v) { switch (n) { ${setters.join(" ")} } },`,
      "};",
      "})",
      `//# sourceURL=${record.url.split(/[?#]/)[0]}?metamorph-reload=${record.reloads + 1}`,
    ].join("\n"),
  );
}

/** The migrations module of `record` as messages name it (the one it would have, if none). */
function migrationsFileName(
  context: PrepareContext,
  record: ModuleRecord,
  migrations: MigrationsState | undefined,
): string {
  if (migrations) return context.rel(migrations.file);
  return `${context.rel(record.file).replace(/\.[^./\\]+$/, "")}.migrations.ts`;
}

/** The patch: new implementations, superclass changes, hints from the migrations module. */
function planReload(
  context: PrepareContext,
  record: ModuleRecord,
  next: TopLevel,
  updates: readonly ClassUpdate[],
  migrations: MigrationsState | undefined,
  extrasNames: readonly string[],
  extrasValues: Record<string, unknown>,
): DevPlan {
  const rel = context.rel(record.file);
  try {
    return planClassUpdates(updates, {
      namespace: context.graph.namespace,
      patchName: `${rel} #${record.reloads + 1}`,
      migrations: migrations?.value ?? {},
      migrationsFile: migrationsFileName(context, record, migrations),
      used: record.used,
      // A reload evaluates the classes in the module's own scope (./scopeEvaluate.ts).
      sameScope: true,
      resetValues: (_className, fields) => {
        const getters = fields.map(
          (f) => `${JSON.stringify(f.name)}() { return (${f.initializer}); }`,
        );
        const compute = record.evaluate(
          `(function (${EXTRAS}) { ${extrasPrologue(extrasNames)} return { ${getters.join(", ")} }; })`,
        ) as (extras: Record<string, unknown>) => Record<string, (this: object) => unknown>;
        return compute(extrasValues);
      },
    });
  } catch (error) {
    if (error instanceof UnmanagedSuperclassChange || error instanceof PrivateMembersChange) {
      throw at(error, record.file, next.classes.get(error.className)?.line ?? 1);
    }
    throw error;
  }
}

function newClassSummary(className: string): ClassChangeSummary {
  return {
    className,
    added: [],
    removed: [],
    renamed: [],
    initialisers: [],
    methodsAdded: [],
    methodsRemoved: [],
    methodsChanged: [],
    added_class: true,
  };
}

/** The source line of the class or function whose evaluation threw (best effort). */
function locateEvaluationLine(
  error: unknown,
  top: TopLevel,
  classes: readonly string[],
  functions: readonly string[],
): number | undefined {
  const message = error instanceof Error ? error.message : "";
  for (const name of [...classes, ...functions]) {
    const decl = top.classes.get(name) ?? top.functions.get(name);
    if (decl && message.includes(name)) return decl.line;
  }
  const first = classes[0] ?? functions[0];
  return first ? (top.classes.get(first) ?? top.functions.get(first))?.line : undefined;
}
