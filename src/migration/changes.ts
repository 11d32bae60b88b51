/**
 * Change detection (after Pharo's Shift class builder): old and new
 * definitions are compared and every difference becomes a change object that
 * carries its own policy — must instances migrate, and does the change
 * propagate to subclasses. The installer only reads these answers.
 */
import type { ClassDefinition, FieldDefinition, MethodDefinition } from "../mop/classDefinition.js";
import { constructorOfDefinition } from "../mop/classHandle.js";
import type { BuildResult, ClassBuild } from "./build.js";

export type ChangeKind =
  | "class-added"
  | "class-removed"
  | "class-renamed"
  | "fields-changed"
  | "superclass-changed"
  | "methods-changed"
  | "statics-changed"
  | "migrator-added"
  | "inherited-fields-changed";

export interface Change {
  readonly kind: ChangeKind;
  /** The class's name after the update (before it, for a removed class). */
  readonly className: string;
  readonly description: string;
  /** Whether the instances of the class must be rewritten. */
  readonly migratesInstances: boolean;
  /** Whether the instances of its subclasses must be rewritten too. */
  readonly propagatesToSubclasses: boolean;
}

/** Every instance field of `name` in `definitions`, inherited first (stops on cycles). */
export function fieldChain(
  name: string,
  definitions: ReadonlyMap<string, ClassDefinition>,
): string[] {
  const chain: ClassDefinition[] = [];
  const seen = new Set<string>();
  for (let d = definitions.get(name); d && !seen.has(d.name); ) {
    seen.add(d.name);
    chain.unshift(d);
    d = d.superclass === null ? undefined : definitions.get(d.superclass);
  }
  return chain.flatMap((d) => d.fields.map((f) => f.name));
}

/** The instance members a definition names itself: string-keyed methods and accessors, and fields. */
export const instanceMemberNames = (d: ClassDefinition): string[] => [
  ...d.methods.flatMap((m) => (!m.static && typeof m.key === "string" ? [m.key] : [])),
  ...d.fields.map((f) => f.name),
];

/** Class names from `name` up to its root (stops on cycles). */
export function ancestry(
  name: string,
  definitions: ReadonlyMap<string, ClassDefinition>,
): string[] {
  const out: string[] = [];
  for (let n: string | null = name; n !== null && !out.includes(n); ) {
    out.push(n);
    n = definitions.get(n)?.superclass ?? null;
  }
  return out;
}

/**
 * The class outside the namespace that `name`'s root extends (`Map`, a
 * package's class), or null. Instances carry what it gives them (internal
 * slots, its own state), so it is the same for a class's whole life.
 */
export function externalRoot(
  name: string,
  definitions: ReadonlyMap<string, ClassDefinition>,
): string | null {
  const chain = ancestry(name, definitions);
  return definitions.get(chain[chain.length - 1]!)?.externalSuperclass ?? null;
}

/**
 * What a class's instance (or static) members are, as one string: equal for
 * two lists exactly when they hold the same members (key, kind, source) in
 * any order. A definition's method list is frozen data (build.ts) shared by
 * every later definition that leaves it alone, so its signatures are kept:
 * an update computes them only for the lists it makes.
 */
const signatures = new WeakMap<readonly MethodDefinition[], readonly [string, string]>();

function methodSignature(methods: readonly MethodDefinition[], isStatic: boolean): string {
  let both = signatures.get(methods);
  if (both === undefined) {
    both = [signatureOf(methods, false), signatureOf(methods, true)];
    if (Object.isFrozen(methods)) signatures.set(methods, both);
  }
  return isStatic ? both[1] : both[0];
}

function signatureOf(methods: readonly MethodDefinition[], isStatic: boolean): string {
  const members: string[] = [];
  for (const m of methods)
    if (m.static === isStatic) members.push(JSON.stringify([m.key, m.kind, m.source]));
  // Any fixed order will do: signatures are only compared with each other.
  return members.sort().join("\n");
}

/** Whether two static field lists are the same data (each field as JSON). */
const sameStaticFields = (a: readonly FieldDefinition[], b: readonly FieldDefinition[]) =>
  a === b ||
  (a.length === b.length &&
    a.every((f, i) => f === b[i] || JSON.stringify(f) === JSON.stringify(b[i])));

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function sameFieldNames(a: ClassDefinition, b: ClassDefinition): boolean {
  if (a.fields === b.fields) return true;
  if (a.fields.length !== b.fields.length) return false;
  for (let i = 0; i < a.fields.length; i++)
    if (a.fields[i]!.name !== b.fields[i]!.name) return false;
  return true;
}

/** A change; every kind that migrates a class's instances migrates its subclasses' too. */
const change = (
  kind: ChangeKind,
  className: string,
  description: string,
  migrates = false,
): Change => ({
  kind,
  className,
  description,
  migratesInstances: migrates,
  propagatesToSubclasses: migrates,
});

export function detectChanges(
  old: ReadonlyMap<string, ClassDefinition>,
  build: BuildResult,
): Change[] {
  const next = new Map<string, ClassDefinition>();
  for (const [n, c] of build.classes) next.set(n, c.definition);
  const changes: Change[] = build.removed.map((name) =>
    change("class-removed", name, `${name} removed`),
  );
  for (const [name, cls] of build.classes) {
    if (cls.oldName === null) changes.push(change("class-added", name, `${name} added`));
    else classChanges(name, cls, old, build, next, changes);
  }
  changes.push(...inheritedChanges(changes, build, next));
  return changes;
}

/** What differs between an existing class's old and new definitions, added to `out`. */
function classChanges(
  name: string,
  cls: ClassBuild,
  old: ReadonlyMap<string, ClassDefinition>,
  build: BuildResult,
  next: ReadonlyMap<string, ClassDefinition>,
  out: Change[],
): void {
  const oldName = cls.oldName!;
  const before = old.get(oldName)!;
  const after = cls.definition;
  if (oldName !== name) out.push(change("class-renamed", name, `${oldName} renamed to ${name}`));
  let renamed = false;
  for (const [to, from] of cls.fieldOrigins) if (from !== null && from !== to) renamed = true;
  if (!sameFieldNames(before, after) || renamed || cls.splits.length > 0) {
    const ownBefore = before.fields.map((f) => f.name);
    const ownAfter = after.fields.map((f) => f.name);
    const description = `${name} fields (${ownBefore.join(", ")}) → (${ownAfter.join(", ")})`;
    out.push(change("fields-changed", name, description, true));
  }
  if (
    before.superclass !== newSuperclassOldName(after, build) ||
    (before.externalSuperclass ?? null) !== (after.externalSuperclass ?? null)
  ) {
    const layout = !sameList(fieldChain(oldName, old), fieldChain(name, next));
    const description = `${name} superclass ${superclassText(before)} → ${superclassText(after)}`;
    out.push(change("superclass-changed", name, description, layout));
  }
  // A class the patch does not touch keeps its very definition object
  // (build.ts): its members cannot differ, whatever their number.
  const touched = before !== after;
  if (touched && methodSignature(before.methods, false) !== methodSignature(after.methods, false))
    out.push(change("methods-changed", name, `${name} methods changed`));
  if (
    touched &&
    (methodSignature(before.methods, true) !== methodSignature(after.methods, true) ||
      !sameStaticFields(before.staticFields, after.staticFields))
  )
    out.push(change("statics-changed", name, `${name} statics changed`));
  if (cls.migrators.length > 0 || cls.initialisers.size > 0)
    out.push(change("migrator-added", name, `${name} has an application migrator`, true));
  // A new implementation whose source reads exactly like the running one (a
  // file a package release left untouched) is still other code: its methods
  // and statics close over the new release's module, not the old one's.
  // Left undetected, the old methods stay installed and call into the old
  // release beside classes that moved to the new one.
  if (
    touched &&
    cls.implementation !== undefined &&
    cls.implementationDerived !== true &&
    cls.implementation !== constructorOfDefinition(before) &&
    !out.some((c) => c.className === name && c.kind === "methods-changed") &&
    // Said also beside other changes of the class (its statics, a
    // migrator) where it has methods: they switch scope all the same.
    (after.methods.length > 0 || !out.some((c) => c.className === name))
  )
    out.push(
      change(
        "methods-changed",
        name,
        `${name} methods changed (same source, the new implementation's scope)`,
      ),
    );
}

const superclassText = (d: ClassDefinition): string =>
  d.superclass ??
  (d.externalSuperclass === undefined ? "none" : `${d.externalSuperclass} (outside the namespace)`);

/** The new superclass under its old name; a class the patch adds has none, so it always differs. */
function newSuperclassOldName(after: ClassDefinition, build: BuildResult): string | null {
  if (after.superclass === null) return null;
  const newSuper = build.classes.get(after.superclass);
  if (!newSuper) return after.superclass;
  return newSuper.oldName ?? `new class ${after.superclass}`;
}

/** Propagation: a subclass of a class whose change propagates migrates too. */
function inheritedChanges(
  changes: readonly Change[],
  build: BuildResult,
  next: ReadonlyMap<string, ClassDefinition>,
): Change[] {
  const migrating = new Set(
    changes.filter((c) => c.propagatesToSubclasses && c.migratesInstances).map((c) => c.className),
  );
  const out: Change[] = [];
  if (migrating.size === 0) return out;
  for (const [name, cls] of build.classes) {
    if (cls.oldName === null) continue;
    const own = changes.some((c) => c.className === name && c.migratesInstances);
    const inherited = ancestry(name, next)
      .slice(1)
      .find((a) => migrating.has(a));
    if (!own && inherited !== undefined) {
      const description = `${name} inherits the change of ${inherited}`;
      out.push(change("inherited-fields-changed", name, description, true));
    }
  }
  return out;
}

/** New names of the classes whose instances migrate. */
export function migratingClasses(changes: readonly Change[]): Set<string> {
  return new Set(changes.filter((c) => c.migratesInstances).map((c) => c.className));
}

/** New names of the classes whose definition changed in any way. */
export function changedClasses(changes: readonly Change[]): Set<string> {
  return new Set(
    changes
      .filter((c) => c.kind !== "class-removed" && c.kind !== "class-added")
      .map((c) => c.className),
  );
}
