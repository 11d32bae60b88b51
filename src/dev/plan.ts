/**
 * From new class implementations to one patch — shared by `metamorph dev`
 * (Node) and the Vite plugin's client (browser), so it imports nothing from
 * Node. For each changed class: `replaceImplementation` with the rename hints
 * that apply, `changeSuperclass` when the `extends` changed, the migrations
 * module's one-shot migrator and field resets, its validations, and a warning
 * for each ambiguous change saying how to choose. Subclasses of a class whose
 * fields moved are given their current implementation again, so that their
 * instances migrate too.
 */

import { boundMethodWarnings } from "./boundMethods.js";
import { constructorChanged } from "./constructorChange.js";
import { type PatchBuilder, patch } from "../patch/builder.js";
import type { ClassDefinition, FieldDefinition } from "../mop/classDefinition.js";
import { currentVersion, isClassHandle, superclassHandle } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import { readClassDefinition } from "../mop/readClassDefinition.js";
import type { Namespace } from "../namespace/namespace.js";
import {
  type ClassChangeSummary,
  contentHash,
  summariseClassChange,
  unchangedStatics,
} from "./common.js";
import { refuseDefinitionChange } from "./customElementDefinition.js";
import type { DevMigrations } from "./migrations.js";
import { asWritten } from "./scopeEvaluate.js";

export interface ClassUpdate {
  readonly name: string;
  readonly handle: Constructor;
  readonly implementation: Function;
  /**
   * The class moved to another module (./movedClasses.ts): the files it
   * moved from and to. Its new implementation was evaluated in another
   * module scope (not `sameScope`).
   */
  readonly moved?: readonly [from: string, to: string];
}

export interface PlanOptions {
  readonly namespace: Namespace;
  readonly patchName: string;
  readonly migrations: DevMigrations;
  /** How to name the migrations module in messages (e.g. "counter.migrations.ts"). */
  readonly migrationsFile: string;
  /** One-shot steps already applied (see DevPlan.used). */
  readonly used: ReadonlySet<string>;
  /**
   * The new implementations were evaluated in their module's own scope
   * (`metamorph dev`, ./scopeEvaluate.ts), not in a new module instance (a
   * Vite hot update): maps the module keeps per object are the same ones.
   */
  readonly sameScope?: boolean;
  /**
   * The implementation the page applied last to a handle: its definition as
   * the dev server read it. The version the engine stores drops the
   * initialiser of a field that reads its module (an import), so after one
   * edit a change of such a function field went unnamed and unwarned
   * (review advY5 C3).
   */
  readonly runningImplementation?: (handle: Constructor) => Function | undefined;
  /**
   * Computes, for an object, the new initial values of fields whose initialiser
   * changed and that the migrations module lists in `reset` (evaluated where
   * the class is defined). Without it, `reset` is not supported.
   */
  readonly resetValues?: (
    className: string,
    fields: readonly FieldDefinition[],
  ) => Record<string, (this: object) => unknown>;
}

export interface DevPlan {
  readonly builder: PatchBuilder;
  readonly summaries: ClassChangeSummary[];
  readonly warnings: string[];
  /** One-shot steps this plan applies; mark them used once the update commits. */
  readonly used: string[];
  /** Whether the plan changes any class. */
  readonly changesClasses: boolean;
}

/** A class that now extends a class metamorph does not manage. */
export class UnmanagedSuperclassChange extends TypeError {
  readonly code = "MM_DEV_UNMANAGED_SUPERCLASS";
  constructor(
    readonly className: string,
    superclass: string,
  ) {
    super(
      `class ${className} now extends ${superclass}, which metamorph does not manage (only classes declared in the program's modules are); restart to change it`,
    );
  }
}

/**
 * A class with `#` members: new methods could not read the private state of
 * existing objects. An `accessor` field is one (esbuild and TypeScript
 * compile it to a `#` field behind a get/set pair), though the class has no
 * `#` in its source: the refusal names it (review advZ5 5).
 */
export class PrivateMembersChange extends TypeError {
  readonly code = "MM_DEV_PRIVATE_MEMBERS";
  constructor(
    readonly className: string,
    accessors: readonly string[] = [],
  ) {
    const what =
      accessors.length === 0
        ? "private # members"
        : `${accessors.map((a) => `\`accessor ${a}\``).join(", ")}, which compile${accessors.length === 1 ? "s" : ""} to a private # field behind a get/set pair`;
    const instead =
      accessors.length === 0
        ? "use ordinary fields ("
        : `drop \`accessor\` (\`${accessors[0]} = …\` is an ordinary field; `;
    super(
      `class ${className} declares ${what}; the methods of a new version could not read the private state of the existing objects, so it cannot be reloaded in place. Restart to apply the change, or ${instead}TypeScript's \`private\` is fine)`,
    );
  }
}

/** The `accessor` fields of a compiled class, when they are its only `#` members. */
function accessorFields(cls: Function): string[] {
  const source = Function.prototype.toString.call(cls);
  const getter = /\bget\s+([\w$]+)\s*\(\s*\)\s*\{\s*return\s+this\.#([\w$]+)\s*;?\s*\}/g;
  const storage = new Map<string, string>();
  for (const [, name, field] of source.matchAll(getter)) {
    if (field === name || field === `${name}_accessor_storage`) storage.set(field!, name!);
  }
  const members = new Set([...source.matchAll(/#([\w$]+)/g)].map((m) => m[1]!));
  return [...members].every((m) => storage.has(m)) ? [...storage.values()] : [];
}

/** Superclasses first, by the new implementations' `extends`. */
function hierarchyOrder(updates: readonly ClassUpdate[]): ClassUpdate[] {
  const byName = new Map(updates.map((u) => [u.name, u] as const));
  const out: ClassUpdate[] = [];
  const visit = (u: ClassUpdate, path: Set<string>) => {
    if (out.includes(u) || path.has(u.name)) return;
    path.add(u.name);
    const parent = Object.getPrototypeOf(u.implementation) as Function;
    const parentName = isClassHandle(parent) ? currentVersion(parent).definition.name : undefined;
    const parentUpdate = parentName === undefined ? undefined : byName.get(parentName);
    if (parentUpdate) visit(parentUpdate, path);
    out.push(u);
  };
  for (const u of updates) visit(u, new Set());
  return out;
}

export function planClassUpdates(updates: readonly ClassUpdate[], options: PlanOptions): DevPlan {
  const plan: PlanState = {
    builder: patch(options.patchName),
    used: [],
    warnings: [],
    summaries: [],
    fieldsMoved: new Set(),
  };
  const ordered = hierarchyOrder(updates);
  for (const update of ordered) planClass(plan, update, options);
  migrateSubclasses(plan, options.namespace, new Set(ordered.map((u) => u.name)));
  const { builder, summaries, warnings, used } = plan;
  return { builder, summaries, warnings, used, changesClasses: ordered.length > 0 };
}

/** The plan as it is built, class by class. */
interface PlanState {
  builder: PatchBuilder;
  readonly used: string[];
  readonly warnings: string[];
  readonly summaries: ClassChangeSummary[];
  /** Classes whose fields (or superclass) changed: their subclasses migrate too. */
  readonly fieldsMoved: Set<string>;
}

/** The managed name of the new implementation's superclass (null: none). */
function superclassOf(
  name: string,
  implementation: Function,
  namespace: Namespace,
  running: Function,
): string | null {
  const parent = Object.getPrototypeOf(implementation) as Function;
  if (parent === Function.prototype) return null;
  if (isClassHandle(parent) && namespace.owns(parent)) {
    return currentVersion(parent).definition.name;
  }
  // The class outside the namespace it extended already (Node's
  // EventEmitter, Map, a package's class): every edit of such a class
  // restarted the program, saying it "now extends" what it always had.
  if (parent === Object.getPrototypeOf(running)) return null;
  throw new UnmanagedSuperclassChange(name, parent.name || "an anonymous class");
}

/** Rename hints of the migrations module that apply: the old field is gone and the new one is new. */
export function applicableRenames(
  hints: Readonly<Record<string, string>>,
  before: ClassDefinition,
  after: ClassDefinition,
): Record<string, string> {
  const oldFields = before.fields.map((f) => f.name);
  const newFields = after.fields.map((f) => f.name);
  const renames: Record<string, string> = {};
  for (const [to, from] of Object.entries(hints)) {
    // A hint left in the file after its rename must not copy a field that is still
    // there into a new one that happens to take the old name (review advY5 C4).
    const fits = oldFields.includes(from) && !newFields.includes(from);
    if (fits && newFields.includes(to) && !oldFields.includes(to)) {
      renames[to] = from;
    }
  }
  return renames;
}

/**
 * A class's definition with its methods' and initialisers' sources as the
 * user wrote them: a version evaluated by a reload reads its module's
 * bindings through accessors (./scopeEvaluate.ts), the first version does not.
 */
function asWrittenDefinition(definition: ClassDefinition): ClassDefinition {
  const field = (f: FieldDefinition): FieldDefinition =>
    f.initializer === undefined ? f : { ...f, initializer: asWritten(f.initializer) };
  return {
    ...definition,
    fields: definition.fields.map(field),
    staticFields: definition.staticFields.map(field),
    methods: definition.methods.map((m) => ({ ...m, source: asWritten(m.source) })),
  };
}

function planClass(plan: PlanState, update: ClassUpdate, options: PlanOptions): void {
  const { name, handle, implementation, moved } = update;
  const { migrations: m, migrationsFile: file } = options;
  const applied = options.runningImplementation?.(handle);
  const before = asWrittenDefinition(
    applied ? readClassDefinition(applied) : currentVersion(handle).definition,
  );
  // Under the name it is registered with: tsx names `export default class {}` "default" at run time.
  const after = asWrittenDefinition({ ...readClassDefinition(implementation), name });
  if (before.hasPrivateMembers || after.hasPrivateMembers) {
    throw new PrivateMembersChange(name, accessorFields(implementation));
  }
  refuseDefinitionChange(name, handle, implementation);
  const superclass = superclassOf(
    name,
    implementation,
    options.namespace,
    currentVersion(handle).ctor,
  );
  const renames = applicableRenames(m.renames?.[name] ?? {}, before, after);
  // Compared with the registered definition, which names a managed superclass only: the
  // page's previous implementation names any (EventTarget), and read as moved (review advZ16 3).
  const movedSuper = superclass !== currentVersion(handle).definition.superclass;
  if (movedSuper) plan.builder = plan.builder.changeSuperclass(name, superclass);
  // Compared as written (asWrittenDefinition): a reloaded version reads module bindings through accessors.
  plan.builder = plan.builder.replaceImplementation(name, implementation, {
    renames,
    keepStatics: unchangedStatics(before, after),
    ...(options.sameScope === true && moved === undefined ? { sameScope: true } : {}),
  });
  const summary = {
    ...summariseClassChange(
      before,
      after,
      renames,
      movedSuper ? [before.superclass, superclass] : undefined,
      constructorChanged(applied ?? currentVersion(handle).ctor, implementation),
    ),
    ...(moved === undefined ? {} : { moved }),
  };
  plan.summaries.push(summary);
  if (summary.added.length + summary.removed.length + summary.renamed.length > 0 || movedSuper) {
    plan.fieldsMoved.add(name);
  }
  if (summary.added.length > 0 && summary.removed.length > 0) {
    const example = `${summary.added[0]}: "${summary.removed[0]}"`;
    plan.warnings.push(
      `${name}: field${summary.removed.length > 1 ? "s" : ""} ${summary.removed.join(", ")} disappeared while ${summary.added.join(", ")} appeared; treated as removed + added (new fields start from their initialisers). If it is a rename, write in ${file}: export const renames = { ${name}: { ${example} } }${options.resetValues ? " — saving it before another file re-applies this update with the rename" : ""}`,
    );
  }
  planInitialisers(plan, name, before, after, renames, options);
  plan.warnings.push(
    ...boundMethodWarnings(name, currentVersion(handle).definition, before, after),
  );
  // A migrator runs once: on the first update of its class after it was written (or changed).
  const migrator = m.migrate?.[name];
  const migrateKey = `${name}:migrate:${contentHash(String(migrator))}`;
  if (migrator && !options.used.has(migrateKey)) {
    plan.used.push(migrateKey);
    plan.builder = plan.builder.migrate(name, migrator);
  }
  const validation = m.validate?.[name];
  if (validation) {
    plan.builder = plan.builder.validateInstances(`${file}: validate.${name}`, name, validation);
  }
}

/**
 * An initialiser as written: tsx (esbuild's keepNames) wraps a function
 * field's value in `__name(…, "f")`, which the user never wrote.
 */
function withoutKeptName(initializer: string): string {
  return /^__name\(([\s\S]*), ?"[^"]*"\)$/.exec(initializer)?.[1] ?? initializer;
}

/** An initialiser that makes a function (an arrow, a function expression), each object its own. */
const FUNCTION = /^(?:async\s*)?(?:function\b|\([^)]*\)\s*=>|[\w$]+\s*=>)/;

/**
 * The engine's MM_STALE_FUNCTION_FIELD, said by the page's plan where the
 * engine cannot (its stored version lacks the initialiser); the page drops
 * it when the engine says it too (./vitePageEngine.ts).
 */
export function staleFunctionField(className: string, field: string): string {
  return `MM_STALE_FUNCTION_FIELD class ${className}: field \`${field}\` holds a function whose body the new version changes; existing objects keep their own \`${field}\` (the old code, bound to them), fresh ones get the new — write it as a method (methods change on every object) where old objects must run the new code, or reload the page`;
}

/** Changed initialisers: existing objects keep their values unless the field is listed in `reset`. */
function planInitialisers(
  plan: PlanState,
  name: string,
  before: ClassDefinition,
  after: ClassDefinition,
  renames: Readonly<Record<string, string>>,
  options: PlanOptions,
): void {
  const resetList = options.migrations.reset?.[name] ?? [];
  const resets: FieldDefinition[] = [];
  for (const field of after.fields) {
    const old = before.fields.find((f) => f.name === (renames[field.name] ?? field.name));
    if (
      old?.initializer === undefined ||
      field.initializer === undefined ||
      old.initializer === field.initializer
    ) {
      continue;
    }
    if (options.runningImplementation && FUNCTION.test(old.initializer)) {
      plan.warnings.push(staleFunctionField(name, field.name));
    }
    if (resetList.includes(field.name) && options.resetValues) resets.push(field);
    else {
      plan.warnings.push(
        `${name}.${field.name}: initialiser changed (${withoutKeptName(old.initializer)} → ${withoutKeptName(field.initializer)}); existing objects keep their values.${options.resetValues ? ` To give them the new initial value, write in ${options.migrationsFile}: export const reset = { ${name}: ["${field.name}"] }` : ""}`,
      );
    }
  }
  if (resets.length > 0 && options.resetValues) {
    const initialValues = options.resetValues(name, resets);
    plan.builder = plan.builder.migrate(name, (_old, target) => {
      for (const [field, fn] of Object.entries(initialValues)) target[field] = fn.call(target);
    });
  }
}

/** Subclasses of a class whose fields moved migrate too; they keep their implementation. */
function migrateSubclasses(plan: PlanState, namespace: Namespace, planned: Set<string>): void {
  if (plan.fieldsMoved.size === 0) return;
  for (const handle of namespace.classes()) {
    const name = currentVersion(handle).definition.name;
    if (planned.has(name)) continue;
    let inherits = false;
    for (let p = superclassHandle(handle); p; p = superclassHandle(p)) {
      if (plan.fieldsMoved.has(currentVersion(p).definition.name)) inherits = true;
    }
    if (inherits) {
      plan.builder = plan.builder.replaceImplementation(name, currentVersion(handle).ctor);
    }
  }
}
