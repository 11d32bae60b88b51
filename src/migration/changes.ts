/**
 * Change detection (after Pharo's Shift class builder): old and new
 * definitions are compared and every difference becomes a change object that
 * carries its own policy — must instances migrate, and does the change
 * propagate to subclasses. The installer only reads these answers.
 */
import type { ClassDefinition, MethodDefinition } from "../mop/classDefinition.js";
import type { BuildResult } from "./build.js";

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

const methodSignature = (methods: readonly MethodDefinition[], isStatic: boolean) =>
  JSON.stringify(
    methods
      .filter((m) => m.static === isStatic)
      .map((m) => [m.key, m.kind, m.source])
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  );

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

export function detectChanges(
  old: ReadonlyMap<string, ClassDefinition>,
  build: BuildResult,
): Change[] {
  const next = new Map([...build.classes].map(([n, c]) => [n, c.definition]));
  const changes: Change[] = [];
  const add = (c: Change) => changes.push(c);
  for (const name of build.removed) {
    add({
      kind: "class-removed",
      className: name,
      description: `${name} removed`,
      migratesInstances: false,
      propagatesToSubclasses: false,
    });
  }
  for (const [name, cls] of build.classes) {
    if (cls.oldName === null) {
      add({
        kind: "class-added",
        className: name,
        description: `${name} added`,
        migratesInstances: false,
        propagatesToSubclasses: false,
      });
      continue;
    }
    const before = old.get(cls.oldName)!;
    const after = cls.definition;
    if (cls.oldName !== name) {
      add({
        kind: "class-renamed",
        className: name,
        description: `${cls.oldName} renamed to ${name}`,
        migratesInstances: false,
        propagatesToSubclasses: false,
      });
    }
    const ownBefore = before.fields.map((f) => f.name);
    const ownAfter = after.fields.map((f) => f.name);
    const renamed = [...cls.fieldOrigins].some(([to, from]) => from !== null && from !== to);
    if (!sameList(ownBefore, ownAfter) || renamed || cls.splits.length > 0) {
      add({
        kind: "fields-changed",
        className: name,
        description: `${name} fields (${ownBefore.join(", ")}) → (${ownAfter.join(", ")})`,
        migratesInstances: true,
        propagatesToSubclasses: true,
      });
    }
    const oldSuper = before.superclass;
    // The new superclass under its old name; a class the patch adds has none, so it always differs.
    const newSuper = after.superclass === null ? undefined : build.classes.get(after.superclass);
    const newSuperOldName =
      after.superclass === null
        ? null
        : newSuper
          ? (newSuper.oldName ?? `new class ${after.superclass}`)
          : after.superclass;
    if (oldSuper !== newSuperOldName) {
      const layout = !sameList(fieldChain(cls.oldName, old), fieldChain(name, next));
      add({
        kind: "superclass-changed",
        className: name,
        description: `${name} superclass ${oldSuper ?? "none"} → ${after.superclass ?? "none"}`,
        migratesInstances: layout,
        propagatesToSubclasses: layout,
      });
    }
    if (methodSignature(before.methods, false) !== methodSignature(after.methods, false)) {
      add({
        kind: "methods-changed",
        className: name,
        description: `${name} methods changed`,
        migratesInstances: false,
        propagatesToSubclasses: false,
      });
    }
    if (
      methodSignature(before.methods, true) !== methodSignature(after.methods, true) ||
      JSON.stringify(before.staticFields) !== JSON.stringify(after.staticFields)
    ) {
      add({
        kind: "statics-changed",
        className: name,
        description: `${name} statics changed`,
        migratesInstances: false,
        propagatesToSubclasses: false,
      });
    }
    if (cls.migrators.length > 0 || cls.initialisers.size > 0) {
      add({
        kind: "migrator-added",
        className: name,
        description: `${name} has an application migrator`,
        migratesInstances: true,
        propagatesToSubclasses: true,
      });
    }
  }
  // Propagation: a subclass of a class whose change propagates migrates too.
  const migrating = new Set(
    changes.filter((c) => c.propagatesToSubclasses && c.migratesInstances).map((c) => c.className),
  );
  for (const [name, cls] of build.classes) {
    if (cls.oldName === null) continue;
    const own = changes.some((c) => c.className === name && c.migratesInstances);
    const inherited = ancestry(name, next)
      .slice(1)
      .find((a) => migrating.has(a));
    if (!own && inherited !== undefined) {
      add({
        kind: "inherited-fields-changed",
        className: name,
        description: `${name} inherits the change of ${inherited}`,
        migratesInstances: true,
        propagatesToSubclasses: true,
      });
    }
  }
  return changes;
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
