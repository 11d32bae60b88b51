/**
 * The patch between two releases, as data: what `metamorph dev` would do on
 * saving each changed module (src/dev/plan.ts), derived from the two source
 * trees instead of a running program. Each changed class gets its new
 * implementation with the rename hints of its `*.migrations.*` module that
 * apply, a superclass change when its `extends` changed, the module's
 * migrator, field resets and validations; subclasses of a class whose fields
 * moved are given their implementation again so their instances migrate;
 * each changed top-level function gets its new source (the service compiles
 * it in its module's scope); everything a bundle cannot carry is listed. Where a person must decide, the item says so (`todos`). Pure and
 * deterministic: the same sources give the same derivation.
 */
import type { ClassDefinition } from "../../mop/classDefinition.js";
import {
  type ClassChangeSummary,
  summariseClassChange,
  unchangedStatics,
} from "../../dev/common.js";
import type { DevMigrations } from "../../dev/migrations.js";
import { applicableRenames } from "../../dev/plan.js";
import { parseJavaScript } from "../../mop/source/parser.js";
import { dependsOnScope } from "../../mop/source/scope.js";
import {
  type ManagedClass,
  type ModuleSource,
  readRelease,
  type ReleaseInventory,
} from "./inventory.js";
import type { HookSources } from "./migrationsSource.js";
import { releaseNotes } from "./notes.js";
import { type UncarriedClass, uncarriedClasses } from "./uncarried.js";

/** A migrations module of the new release, loaded (its file relative to the new release). */
export interface MigrationsModule {
  readonly file: string;
  readonly value: DevMigrations;
  /** Whether its hints are the default export (else named exports). */
  readonly isDefault: boolean;
  /** For a TypeScript module: its migrators' and validations' text as JavaScript ("migrate.Account" → expression). */
  readonly sources?: HookSources;
}

export interface ReleasePair {
  readonly old: readonly ModuleSource[];
  readonly new: readonly ModuleSource[];
  /** By the file of the module they belong to (relative, without extension → see migrationsFor). */
  readonly migrations: readonly MigrationsModule[];
}

export interface ClassChange {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** "changed": its source changed; "subclass": unchanged, migrated because a superclass's fields moved. */
  readonly reason: "changed" | "subclass";
  readonly summary: ClassChangeSummary;
  /** The new definition, read from the implementation's source. */
  readonly definition: ClassDefinition;
  /** The new implementation, `class [extends B] { … }`, as JavaScript. */
  readonly implementation: string;
  readonly renames: Readonly<Record<string, string>>;
  /** Statics that keep their running value: declared by both versions with the same initialiser. */
  readonly keepStatics: readonly string[];
  /** [old, new] managed superclass names when `extends` changed. */
  readonly superclass?: readonly [string | null, string | null];
  /** The migrations module with hints for this class, when it has any it uses. */
  readonly migrations?: MigrationsModule;
  readonly migrator: boolean;
  readonly validation: boolean;
  /** Fields listed in `reset` whose initialiser changed: [field, new initialiser]. */
  readonly resets: readonly (readonly [string, string])[];
  /** Module-level names the implementation refers to. */
  readonly moduleNames: readonly string[];
  /** Functions and classes named inside the implementation. */
  readonly namedInside: readonly string[];
  readonly todos: readonly string[];
}

export interface FunctionChange {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** The new `function name(…) { … }`, as JavaScript. */
  readonly source: string;
  readonly todos: readonly string[];
}

export interface PatchDerivation {
  /** Superclasses before subclasses. */
  readonly classes: readonly ClassChange[];
  readonly functions: readonly FunctionChange[];
  /** What changed that no patch carries (restart to apply), and files added or removed. */
  readonly notes: readonly string[];
  /** Changed classes no patch carries, each a TODO: compiled otherwise than as declarations. */
  readonly uncarried?: readonly UncarriedClass[];
}

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

const list = (names: readonly string[]) => names.join(", ");
const plural = (n: number, word: string) => `${word}${n === 1 ? "" : "s"}`;

/** Where a person must decide, for a class whose source changed (the warnings of src/dev/plan.ts). */
function classTodos(
  name: string,
  before: ClassDefinition,
  after: ClassDefinition,
  summary: ClassChangeSummary,
  context: { migrationsFile: string; migrator: boolean; resets: readonly string[] },
): string[] {
  const todos: string[] = [];
  const { added, removed } = summary;
  if (before.hasPrivateMembers || after.hasPrivateMembers) {
    todos.push(
      `${name} declares private # members: the methods of a new implementation could not read the private state of existing objects, so the engine refuses this change. Restart to apply it, or use ordinary fields`,
    );
  }
  if (added.length > 0 && removed.length > 0) {
    todos.push(
      `${plural(removed.length, "field")} ${list(removed)} disappeared while ${list(added)} appeared: treated as removed + added (new fields start from their initialisers). If it is a rename, add it to the renames below, e.g. { ${added[0]}: "${removed[0]}" }, and to ${context.migrationsFile}: export const renames = { ${name}: { ${added[0]}: "${removed[0]}" } }`,
    );
  } else if (removed.length > 0 && !context.migrator) {
    todos.push(
      `${plural(removed.length, "field")} ${list(removed)} ${removed.length === 1 ? "is" : "are"} removed and no migrator reads ${removed.length === 1 ? "its value" : "their values"}: ${removed.length === 1 ? "it is" : "they are"} dropped from every live object. If the value must move elsewhere, add .migrate("${name}", (old, object) => { … old.${removed[0]} … })`,
    );
  }
  for (const field of summary.initialisers) {
    if (context.resets.includes(field)) continue;
    const old = before.fields.find((f) => f.name === field)?.initializer;
    const now = after.fields.find((f) => f.name === field)?.initializer;
    todos.push(
      `${name}.${field}: initialiser changed (${old} → ${now}); existing objects keep their values. To give them the new value, list it in ${context.migrationsFile}: export const reset = { ${name}: ["${field}"] }`,
    );
  }
  return todos;
}

function changedClass(
  pair: { before: ManagedClass; after: ManagedClass },
  next: ReleaseInventory,
  migrations: MigrationsModule | undefined,
): ClassChange {
  const { before, after } = pair;
  const { name } = after;
  const hints = migrations?.value;
  const renames = applicableRenames(
    hints?.renames?.[name] ?? {},
    before.definition,
    after.definition,
  );
  const oldSuper = before.definition.superclass;
  const newSuper = after.definition.superclass;
  const moved = oldSuper !== newSuper;
  const summary = summariseClassChange(
    before.definition,
    after.definition,
    renames,
    moved ? [oldSuper, newSuper] : undefined,
  );
  const migrator = hints?.migrate?.[name] !== undefined;
  const resetList = hints?.reset?.[name] ?? [];
  // A field whose new value is not known from the source (set from a parameter) cannot be reset.
  const resets = summary.initialisers.flatMap((f) => {
    const initializer = after.definition.fields.find((x) => x.name === f)?.initializer;
    return resetList.includes(f) && initializer !== undefined ? [[f, initializer] as const] : [];
  });
  const migrationsFile = migrations?.file ?? `${stripExtension(after.file)}.migrations.ts`;
  const todos = classTodos(name, before.definition, after.definition, summary, {
    migrationsFile,
    migrator,
    resets: resets.map(([f]) => f),
  });
  if (moved && newSuper !== null && !next.classes.has(newSuper)) {
    todos.push(
      `${name} now extends ${newSuper}, which metamorph does not manage (only classes declared in the program's modules are): the engine cannot change it live; restart to apply it`,
    );
  }
  const validation = hints?.validate?.[name] !== undefined;
  const usesHints = Object.keys(renames).length > 0 || migrator || validation || resets.length > 0;
  return {
    name,
    file: after.file,
    line: after.line,
    reason: "changed",
    summary,
    definition: after.definition,
    implementation: after.expression,
    renames,
    keepStatics: unchangedStatics(before.definition, after.definition),
    ...(moved ? { superclass: [oldSuper, newSuper] as const } : {}),
    ...(usesHints && migrations ? { migrations } : {}),
    migrator,
    validation,
    resets,
    moduleNames: after.moduleNames,
    namedInside: after.namedInside,
    todos: [...todos, ...moduleNamesTodo(after)],
  };
}

function moduleNamesTodo(cls: ManagedClass): string[] {
  if (cls.moduleNames.length === 0) return [];
  return [
    `the implementation of ${cls.name} refers to ${list(cls.moduleNames)}, declared or imported in ${cls.file}: a bundle's code is compiled with the globals only (and the names the service passes to listen({ scope })), so ${cls.moduleNames.length === 1 ? "it is" : "they are"} not defined there. Rewrite those references, or make the service pass them in its scope`,
  ];
}

function subclassChange(cls: ManagedClass, parent: string): ClassChange {
  return {
    name: cls.name,
    file: cls.file,
    line: cls.line,
    reason: "subclass",
    summary: summariseClassChange(cls.definition, cls.definition, {}, undefined),
    definition: cls.definition,
    implementation: cls.expression,
    renames: {},
    keepStatics: cls.definition.staticFields.map((f) => f.name),
    migrator: false,
    validation: false,
    resets: [],
    moduleNames: cls.moduleNames,
    namedInside: cls.namedInside,
    todos: moduleNamesTodo(cls).map((t) => `${t} (its superclass ${parent}'s fields moved)`),
  };
}

/** Unchanged classes whose ancestors' fields (or superclass) moved: they migrate too. */
function subclassesToMigrate(
  next: ReleaseInventory,
  moved: ReadonlySet<string>,
  planned: ReadonlySet<string>,
): ClassChange[] {
  if (moved.size === 0) return [];
  const out: ClassChange[] = [];
  for (const cls of next.classes.values()) {
    if (planned.has(cls.name)) continue;
    const seen = new Set<string>();
    for (let p = cls.definition.superclass; p !== null && !seen.has(p); ) {
      seen.add(p);
      if (moved.has(p)) {
        out.push(subclassChange(cls, p));
        break;
      }
      p = next.classes.get(p)?.definition.superclass ?? null;
    }
  }
  return out;
}

/**
 * Names the new function refers to that its module binds only in the new
 * release (a new import, function or variable): the running module, in whose
 * scope the service compiles it, does not have them.
 */
function newNamesTodo(name: string, source: string, added: readonly string[]): string[] {
  if (added.length === 0) return [];
  const parsed = parseJavaScript(`(${source}\n)`, "script");
  if (!parsed.ok) return [];
  const used = added.filter(
    (n) => n !== name && dependsOnScope(parsed.program, new Set([n]), true),
  );
  if (used.length === 0) return [];
  return [
    `${name} refers to ${list(used)}, which the new release's module declares or imports and the running one does not: the service compiles the function in the running module, where ${used.length === 1 ? "it is" : "they are"} not defined. Rewrite those references, or restart to apply the change`,
  ];
}

function changedFunctions(old: ReleaseInventory, next: ReleaseInventory): FunctionChange[] {
  const out: FunctionChange[] = [];
  for (const [file, module] of next.modules) {
    const before = old.modules.get(file);
    if (!before) continue;
    const added = [...module.top.bindings].filter((n) => !before.top.bindings.has(n));
    for (const [name, fn] of module.top.functions) {
      const was = before.top.functions.get(name);
      if (!was || was.text === fn.text) continue;
      const todos = newNamesTodo(name, fn.text, added);
      out.push({ name, file, line: fn.line, source: fn.text, todos });
    }
  }
  return out;
}

/** The patch from release `pair.old` to `pair.new`. */
export function derivePatch(pair: ReleasePair): PatchDerivation {
  const old = readRelease(pair.old);
  const next = readRelease(pair.new);
  const changed: ClassChange[] = [];
  for (const after of next.classes.values()) {
    const before = old.classes.get(after.name);
    if (!before || before.expression === after.expression) continue;
    changed.push(changedClass({ before, after }, next, migrationsFor(after.file, pair.migrations)));
  }
  const moved = new Set(
    changed
      .filter((c) => {
        const s = c.summary;
        return (
          s.added.length + s.removed.length + s.renamed.length > 0 || c.superclass !== undefined
        );
      })
      .map((c) => c.name),
  );
  const subclasses = subclassesToMigrate(next, moved, new Set(changed.map((c) => c.name)));
  const parentOf = (name: string) => next.classes.get(name)?.definition.superclass ?? null;
  const uncarried = uncarriedClasses(old, next);
  return {
    classes: hierarchyOrder([...changed, ...subclasses], parentOf),
    functions: changedFunctions(old, next),
    notes: releaseNotes(old, next),
    ...(uncarried.length > 0 ? { uncarried } : {}),
  };
}
