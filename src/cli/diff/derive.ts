/**
 * The patch between two releases, as data: what `metamorph dev` would do on
 * saving each changed module (src/dev/plan.ts), derived from the two source
 * trees instead of a running program. A class the release renamed is renamed
 * first (./classRenames.ts), and every implementation names classes as the
 * running service does (./runningNames.ts). Each changed class gets its new
 * implementation with the rename hints of its `*.migrations.*` module that
 * apply, a superclass change when its `extends` changed, the module's
 * migrator, field resets and validations; a class new in the release that a
 * running class now extends is added before it, and subclasses of a class
 * whose fields moved are given their implementation again so their
 * instances migrate (./relatedClasses.ts); each changed top-level function
 * gets its new source (the service compiles it in its module's scope);
 * everything a bundle cannot carry is listed. Where a person must decide,
 * the item says so (`todos`). Pure and deterministic: the same sources give
 * the same derivation.
 */
import { summariseClassChange, unchangedStatics } from "../../dev/common.js";
import { applicableRenames } from "../../dev/plan.js";
import type { ClassDefinition } from "../../mop/classDefinition.js";
import { parseClassSource } from "../../mop/source/parse.js";
import { chainFields, classRenames } from "./classRenames.js";
import {
  classTodos,
  classValuedFieldFacts,
  moduleNamesTodos,
  shadowedMethodTodos,
} from "./classTodos.js";
import type {
  ClassChange,
  Context,
  MigrationsModule,
  PatchDerivation,
  ReleasePair,
  RunningView,
} from "./derivation.js";
import { changedFunctions } from "./functions.js";
import { type ManagedClass, type ReleaseInventory, readRelease } from "./inventory.js";
import { possibleRenameTodos, releaseNotes } from "./notes.js";
import {
  addedClass,
  addedSuperclasses,
  common,
  runningView,
  subclassesToMigrate,
} from "./relatedClasses.js";
import { uncarriedClasses } from "./uncarried.js";

export type { ClassChange, MigrationsModule, PatchDerivation } from "./derivation.js";

const stripExtension = (file: string) => file.replace(/\.[^./\\]+$/, "");

/** The migrations module next to `file` (same base name), as src/dev/migrationsLoader.ts finds it. */
function migrationsFor(
  file: string,
  migrations: readonly MigrationsModule[],
): MigrationsModule | undefined {
  const base = stripExtension(file);
  return migrations.find((m) => m.file.replace(/\.migrations\.[^./\\]+$/, "") === base);
}

/** Superclasses first, by the new `extends`. */
function hierarchyOrder<C extends { name: string }>(
  changed: readonly C[],
  parentOf: (name: string) => string | null,
): C[] {
  const byName = new Map(changed.map((c) => [c.name, c] as const));
  const out: C[] = [];
  const visit = (c: C, path: Set<string>) => {
    if (out.includes(c) || path.has(c.name)) return;
    path.add(c.name);
    const parent = parentOf(c.name);
    const parentChange = parent === null ? undefined : byName.get(parent);
    if (parentChange) visit(parentChange, path);
    out.push(c);
  };
  for (const c of changed) visit(c, new Set());
  return out;
}

/**
 * Fields the class declared that it no longer declares but inherits in the
 * new release (pulled up into a superclass, an existing or an inserted
 * one): values follow field names, so every object keeps its value.
 */
function movedUpFields(
  before: ClassDefinition,
  after: ClassDefinition,
  renames: Readonly<Record<string, string>>,
  chain: { superclass: string | null; next: ReleaseInventory },
): string[] {
  const own = new Set(after.fields.map((f) => f.name));
  const renamedFrom = new Set(Object.values(renames));
  const inherited = chainFields(chain.superclass, chain.next);
  return before.fields
    .map((f) => f.name)
    .filter((f) => !own.has(f) && !renamedFrom.has(f) && inherited.has(f));
}

function changedClass(
  context: Context,
  pair: { before: ManagedClass; after: ManagedClass; view: RunningView },
): ClassChange {
  const { before, after, view } = pair;
  const { name } = after;
  const migrations = migrationsFor(after.file, context.migrations);
  const hints = migrations?.value;
  const renames = applicableRenames(
    hints?.renames?.[name] ?? {},
    before.definition,
    view.definition,
  );
  const oldSuper = before.definition.superclass;
  const newSuper = after.definition.superclass;
  const moved = oldSuper !== view.definition.superclass;
  const movedUp = movedUpFields(before.definition, view.definition, renames, {
    superclass: newSuper,
    next: context.next,
  });
  const full = summariseClassChange(
    before.definition,
    view.definition,
    renames,
    moved ? [oldSuper, newSuper] : undefined,
  );
  // A field moved up into a superclass keeps its value: not removed.
  const summary = { ...full, removed: full.removed.filter((f) => !movedUp.includes(f)) };
  const migrator = hints?.migrate?.[name] !== undefined;
  const resetList = hints?.reset?.[name] ?? [];
  const moduleBound = parseClassSource(view.expression).moduleBoundFields;
  // A field whose new value is not known from the source (set from a parameter), or reads
  // the module (which the service's compile scope lacks), cannot be reset.
  const resets = summary.initialisers.flatMap((f) => {
    const initializer = view.definition.fields.find((x) => x.name === f)?.initializer;
    return resetList.includes(f) && initializer !== undefined && !moduleBound.includes(f)
      ? [[f, initializer] as const]
      : [];
  });
  const migrationsFile = migrations?.file ?? `${stripExtension(after.file)}.migrations.ts`;
  const todos = classTodos(name, before.definition, view.definition, summary, {
    migrationsFile,
    migrator,
    resets: resets.map(([f]) => f),
    moduleBound,
  });
  if (moved && newSuper !== null && !context.next.classes.has(newSuper)) {
    todos.push(
      `${name} now extends ${newSuper}, which metamorph does not manage (only classes declared in the program's modules are): the engine cannot change it live; restart to apply it`,
    );
  }
  const validation = hints?.validate?.[name] !== undefined;
  const usesHints = Object.keys(renames).length > 0 || migrator || validation || resets.length > 0;
  const onlyRenamed = view.expression === before.expression;
  return {
    ...common(context, after, before, view),
    reason: onlyRenamed ? "renamed" : "changed",
    summary,
    renames,
    keepStatics: unchangedStatics(before.definition, view.definition),
    movedUp,
    facts: onlyRenamed
      ? []
      : classValuedFieldFacts(before.definition, view.definition, context.resolution.running),
    ...(moved ? { superclass: [oldSuper, newSuper] as const } : {}),
    ...(usesHints && migrations ? { migrations } : {}),
    migrator,
    validation,
    resets,
    todos: onlyRenamed
      ? []
      : [
          ...todos,
          ...shadowedMethodTodos({ now: name, running: before.name }, context.old, context.next),
          ...moduleNamesTodos(after, view.moduleNames, context.resolution, context.next),
        ],
  };
}

/** The `classRenames` of the migrations modules: new name → [old name, the module's file]. */
function renameHints(
  migrations: readonly MigrationsModule[],
): Map<string, readonly [string, string]> {
  const out = new Map<string, readonly [string, string]>();
  for (const m of migrations) {
    for (const [to, from] of Object.entries(m.classRenames ?? {})) out.set(to, [from, m.file]);
  }
  return out;
}

function context(pair: ReleasePair): Context {
  const old = readRelease(pair.old);
  const next = readRelease(pair.new);
  const hints = renameHints(pair.migrations);
  const renames = classRenames(old, next, new Map([...hints].map(([to, [from]]) => [to, from])));
  const hintedBy = new Map<string, string>();
  for (const [to, from] of renames) {
    const hint = hints.get(to);
    if (hint && hint[0] === from) hintedBy.set(to, hint[1]);
  }
  const added = new Set(addedSuperclasses(old, next, renames).keys());
  const resolution = { running: new Set(old.classes.keys()), added };
  return { old, next, renames, hintedBy, migrations: pair.migrations, resolution };
}

/** The patch from release `pair.old` to `pair.new`. */
export function derivePatch(pair: ReleasePair): PatchDerivation {
  const ctx = context(pair);
  const { old, next, renames } = ctx;
  const changed: ClassChange[] = [];
  for (const after of next.classes.values()) {
    const before = old.classes.get(renames.get(after.name) ?? after.name);
    if (!before) continue;
    const view = runningView(after, renames);
    if (before.expression === view.expression && before.name === after.name) continue;
    changed.push(changedClass(ctx, { before, after, view }));
  }
  const moved = new Set(
    changed
      .filter((c) => {
        const s = c.summary;
        const layout = s.added.length + s.removed.length + s.renamed.length + c.movedUp.length;
        return layout > 0 || c.superclass !== undefined;
      })
      .map((c) => c.name),
  );
  const planned = new Set(changed.filter((c) => c.reason !== "renamed").map((c) => c.name));
  const subclasses = subclassesToMigrate(ctx, moved, planned);
  const migrating = new Set(subclasses.map((c) => c.name));
  const added = [...addedSuperclasses(old, next, renames)].map(([name, by]) =>
    addedClass(ctx, next.classes.get(name)!, by),
  );
  const parentOf = (name: string) => next.classes.get(name)?.definition.superclass ?? null;
  const uncarried = uncarriedClasses(old, next);
  const todos = possibleRenameTodos(old, next, renames);
  return {
    classes: hierarchyOrder(
      [...changed.filter((c) => !migrating.has(c.name)), ...subclasses, ...added],
      parentOf,
    ),
    functions: changedFunctions(old, next),
    notes: releaseNotes(old, next, { renames, added: ctx.resolution.added }),
    ...(uncarried.length > 0 ? { uncarried } : {}),
    ...(todos.length > 0 ? { todos } : {}),
  };
}
