/**
 * Preparing the reload of one module from its saved text, without changing
 * anything the program can see yet: what changed between the running version
 * and the saved one (compared as JavaScript), the new imports resolved in
 * the module's own context, the new versions of its classes and functions
 * evaluated in the module's scope (so they close over the same module state),
 * and the patch that makes the new classes the implementations of the
 * existing handles. The reloader commits it (./reloader.ts).
 */
import { changedImportLines, changedImports } from "./changedImports.js";
import { parseModule, type TopLevel, topLevel } from "./compile.js";
import { type Redecorated, withDecoratorHooks } from "./decoratorHooks.js";
import { madeFunctionNotes } from "./madeFunctions.js";
import { markDecoratorChanges, memberDecorations } from "./memberDecorators.js";
import type { ImportLink, MigrationsState, ModuleGraph, ModuleRecord } from "./moduleGraph.js";
import { movedClassUpdates, sameClassImport } from "./movedClasses.js";
import { resolveNewImports } from "./newImports.js";
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
import { evaluatedNames, refuseUnreachable } from "./scopeCheck.js";
import type { MappedCode } from "./scopeCodeMap.js";
import type { Origin } from "./sourceMap.js";
import {
  decoratedClasses,
  EXTRAS,
  type Evaluated,
  extrasPrologue,
  scopeCode,
} from "./reloadCode.js";
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
  /** The classes whose method decorators the commit runs again (its warnings that they were replaced are moot). */
  readonly redecorated: Redecorated;
  /** The saved JavaScript. */
  readonly js: string;
  /** The same save prepared again with `held` classes left on their running version (./heldBack.ts). */
  readonly without: (held: ReadonlySet<string>) => Promise<PreparedReload>;
}

export interface PrepareContext {
  readonly graph: ModuleGraph;
  readonly rel: (file: string) => string;
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
  held: ReadonlySet<string> = new Set(),
): Promise<PreparedReload> {
  const nextModule = parseModule(js, record.file, record.sourceType);
  const next = topLevel(nextModule);
  const previousModule = parseModule(record.js, record.file, record.sourceType);
  const previous = topLevel(previousModule);
  const known: Known = (name) => record.bindings.has(name) || record.extras.has(name);
  const decorations = {
    previous: memberDecorations(previousModule),
    next: memberDecorations(nextModule),
  };
  const changes = diffVersions(record, previous, next, known, decorations);
  changes.classes.splice(0, Infinity, ...changes.classes.filter((n) => !held.has(n)));
  noteImportChanges(context, record, previous, next, changes);
  changes.notes.push(...madeFunctionNotes(nextModule, changes.functions));
  const changed = [...changes.classes, ...changes.unmanaged, ...changes.functions];
  // Before anything runs, new imports included.
  refuseUnreachable(record, nextModule, evaluatedNames(next, changed, known));
  // Before the new imports: one of the moved class's module would load it unexpected.
  const moves = await movedClassUpdates(context.graph, context.rel, record, changes);
  const { imported, importedFrom } = await resolveNewImports(context.graph, record, next);
  const warnings: string[] = [];
  const extrasNames = [...record.extras.keys(), ...Object.keys(imported)];
  const statics = { js: nextModule.js, previous, previousJs: previousModule.js };
  const ownCalls = decoratedClasses(next, decorations.next, known);
  const code = scopeCode(record, next, changes, extrasNames, known, warnings, statics, {
    all: decorations.next,
    methods: ownCalls,
  });
  const extrasValues = Object.fromEntries([...record.extras, ...Object.entries(imported)]);
  const { evaluated, newClasses, redeclared } = evaluateCode(
    context,
    record,
    { code, origin: nextModule.origin, next, changes },
    extrasValues,
  );
  const updates = [
    ...classUpdates(context, record, changes, evaluated, redeclared, extrasValues),
    ...moves,
  ];
  const plan = planReload(context, record, next, updates, migrations, extrasNames, extrasValues);
  const hooks = withDecoratorHooks(plan.builder, context.graph, record, {
    calls: ownCalls,
    run: evaluated.decorate,
  });
  markDecoratorChanges(plan.summaries, changes.decorators);
  warnings.push(...plan.warnings, ...initialiserWarnings(plan.summaries, next, nextModule.origin));
  for (const name of newClasses) plan.summaries.push(newClassSummary(name));
  const unmanagedPatches = unmanagedPatchesOf(record, changes, evaluated);
  return {
    builder: hooks.builder,
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
    redecorated: hooks.redecorated,
    js,
    without: (names) => prepareReload(context, record, js, migrations, names),
  };
}

/** What the save's changed imports say: notes, and reasons to restart (a class imported from its new module is none). */
function noteImportChanges(
  context: PrepareContext,
  record: ModuleRecord,
  previous: TopLevel,
  next: TopLevel,
  changes: Changes,
): void {
  const moved = (local: string, spec: string, name: string) =>
    sameClassImport(record, context.graph.moduleOfSpecifier(record, spec), local, name);
  const imports = changedImportLines(changedImports(record, previous, next, moved));
  changes.notes.push(...imports.notes);
  changes.restartReasons.push(...imports.restartReasons);
}

/**
 * Evaluates the reload's code in the module's scope. Classes it declares
 * are managed; one an earlier attempt that failed registered is updated
 * like a changed one (`redeclared`).
 */
function evaluateCode(
  context: PrepareContext,
  record: ModuleRecord,
  saved: { code: MappedCode; origin: Origin; next: TopLevel; changes: Changes },
  extrasValues: Record<string, unknown>,
): { evaluated: Evaluated; newClasses: string[]; redeclared: ClassUpdate[] } {
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
  try {
    const wrapper = record.evaluate(saved.code.text, saved.code.origin(saved.origin)) as (
      extras: Record<string, unknown>,
      manage: (name: string, cls: Function) => Function,
    ) => Evaluated;
    return { evaluated: wrapper(extrasValues, manage), newClasses, redeclared };
  } catch (error) {
    const { next, changes } = saved;
    const line = locateEvaluationLine(error, next, changes.classes, changes.functions);
    throw at(error, record.file, line ?? 1);
  }
}

/**
 * Each replaces an unmanaged class's methods (and plain statics) and runs
 * its method decorators again, returning the warning that says so.
 */
function unmanagedPatchesOf(
  record: ModuleRecord,
  changes: Changes,
  evaluated: Evaluated,
): (() => string)[] {
  return changes.unmanaged.map((name) => {
    const live = evaluated.unmanagedLive[name]!;
    const replacement = evaluated.unmanaged[name]!;
    // A static a package class read once for the class (Lit's styles): only a restart applies it.
    const readOnce = staticsReadOnce(replacement, live);
    if (readOnce !== undefined) changes.restartReasons.push(readOnceReason(name, readOnce));
    const reason = record.unmanaged.get(name) ?? "not a class declaration";
    return () => {
      const transplanted = transplantMethods(replacement, live);
      evaluated.decorate[name]?.();
      return unmanagedWarning(name, reason, transplanted);
    };
  });
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
