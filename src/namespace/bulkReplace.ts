/**
 * Bulk replace: the live namespace becomes its shadow in one synchronous
 * step. Every changed class handle switches to its new version, every class
 * follows its (possibly new) superclass, and the shadow's bindings become the
 * live snapshot. In JavaScript no other code of this isolate runs inside a
 * synchronous block, so the switch is atomic for the program.
 */
import type { Patch } from "immer";
import { StaleShadowError, UndoError } from "../errors.js";
import type { ClassDefinition } from "../mop/classDefinition.js";
import type { Undo } from "../mop/classHandle.js";
import { superclassHandle } from "../mop/classHandle.js";
import { reparent } from "../mop/classVersions.js";
import type { Constructor } from "../mop/createClass.js";
import type { Binding, NamespaceSnapshot } from "./namespace.js";
import { commitSnapshot, Namespace } from "./namespace.js";
import type { ShadowClass } from "./shadow.js";
import { isInstance } from "../valueKinds.js";
import { editsOf, madeFrom, refuseNotA, Shadow, snapshotAs } from "./shadow.js";
import { installWithStatics } from "./staticValues.js";

export interface ReplaceRecord {
  readonly namespace: Namespace;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** immer patches that turn the old snapshot into the new one, and back (made when read: namespace/bindingEdits.ts). */
  readonly patches: readonly Patch[];
  readonly inversePatches: readonly Patch[];
  /** Restores every binding, handle and prototype link exactly as before. Once only, and only while this is the latest replace and the version before it is kept; refused (MM_UNDO) with nothing changed otherwise. */
  undo(): void;
}

/** Class bindings of a snapshot, superclasses before subclasses. */
export function classesInHierarchyOrder(snapshot: NamespaceSnapshot): Binding[] {
  const classes = new Map<string, ClassDefinition>();
  const bindings = snapshot.bindings;
  for (const name in bindings) {
    const b = bindings[name]!;
    if (b.kind === "class") classes.set(b.name, b.definition);
  }
  return hierarchyOrder(classes).map(bindingOf, bindings);
}

function bindingOf(this: NamespaceSnapshot["bindings"], name: string): Binding {
  return this[name]!;
}

/**
 * The names of `classes` (definitions by name), superclasses before
 * subclasses, otherwise in their order; a class whose chain loops or leaves
 * the set comes after the part of its chain inside it.
 */
export function hierarchyOrder(classes: ReadonlyMap<string, ClassDefinition>): string[] {
  const ordered: string[] = [];
  const placed = new Set<string>();
  const path: string[] = [];
  for (const start of classes.keys()) {
    // Up to the first ancestor already placed (or missing, or on the path), then down.
    path.length = 0;
    for (
      let name: string | null = start;
      name !== null && !placed.has(name) && classes.has(name) && !path.includes(name);
      name = classes.get(name)!.superclass
    )
      path.push(name);
    for (let i = path.length - 1; i >= 0; i--) {
      placed.add(path[i]!);
      ordered.push(path[i]!);
    }
  }
  return ordered;
}

interface ClassChange {
  readonly handle: Constructor;
  /** Its superclass in the new world (a handle), or null. */
  readonly parent: Constructor | null;
  readonly entry: ShadowClass | undefined;
}

/**
 * The classes a replace installs a new version of or moves under another
 * superclass, superclasses first. A class with no new version under the
 * superclass it already has is linked as it should be (a new version of its
 * superclass relinks its subclasses when installed): it is left out, so a
 * replace costs nothing per class it leaves alone but this scan.
 */
function classesToChange(
  target: NamespaceSnapshot,
  changed: ReadonlyMap<Constructor, ShadowClass>,
): ClassChange[] {
  const out: (ClassChange & { readonly name: string })[] = [];
  const bindings = target.bindings;
  for (const name in bindings) {
    const b = bindings[name]!;
    if (b.kind !== "class") continue;
    const parentName = b.definition.superclass;
    const parent =
      parentName === null ? null : (bindings[parentName] as { handle: Constructor }).handle;
    const entry = changed.get(b.handle);
    if (entry?.version || superclassHandle(b.handle) !== parent)
      out.push({ name, handle: b.handle, parent, entry });
  }
  if (out.length < 2) return out;
  const rank = new Map<string, number>();
  for (const b of classesInHierarchyOrder(target)) rank.set(b.name, rank.size);
  return out.sort((x, y) => rank.get(x.name)! - rank.get(y.name)!);
}

/** What each record's undo would refuse, asked before anything is undone (`undoRefusal`). */
const refusals = new WeakMap<ReplaceRecord, () => UndoError | undefined>();

/**
 * The error `record.undo()` would throw, checking everything it checks and
 * changing nothing; undefined when it would undo. For code that must know
 * before its own writes (a cooperative rollback rewrites objects first,
 * lifecycle/adoptionRollback.ts): a record not made by `replaceNamespace`
 * is not known to be undoable.
 */
export function undoRefusal(record: ReplaceRecord): UndoError | undefined {
  const refusal = refusals.get(record);
  if (refusal !== undefined) return refusal();
  return new UndoError("cannot undo a replace record replaceNamespace did not make", {
    namespace: record.namespace?.name,
  });
}

/** Runs `undos` last first. */
function undoAll(undos: readonly Undo[]): void {
  for (let i = undos.length - 1; i >= 0; i--) undos[i]!();
}

/**
 * Replaces `namespace`'s live world by `shadow`'s. Throws StaleShadowError,
 * before changing anything, if the namespace changed since the shadow was made.
 * If anything throws part-way, everything done so far is undone and the error
 * is rethrown.
 */
export function replaceNamespace(namespace: Namespace, shadow: Shadow): ReplaceRecord {
  refuseNotA(isInstance(namespace, Namespace), "replaceNamespace", "a Namespace first", namespace);
  refuseNotA(isInstance(shadow, Shadow), "replaceNamespace", "a Shadow second", shadow);
  if (shadow.namespace !== namespace || !shadow[madeFrom](namespace.snapshot)) {
    const now =
      namespace.version === shadow.baseVersion
        ? `${namespace.name} has changed since (a rollback, then another commit, back at that version number)`
        : `${namespace.name} is at version ${namespace.version}`;
    throw new StaleShadowError(
      `the shadow was made from version ${shadow.baseVersion} of namespace ${shadow.namespace.name}, but ${now}`,
      {
        namespace: namespace.name,
        shadowVersion: shadow.baseVersion,
        liveVersion: namespace.version,
      },
    );
  }
  const undos: Undo[] = [];
  const target = shadow[snapshotAs](namespace.version + 1);
  try {
    const work = classesToChange(target, shadow.changedClasses());
    for (const { handle, entry } of work)
      if (entry?.version)
        undos.push(installWithStatics(handle, entry.version, entry.staticOrigins));
    for (const { handle, parent } of work) undos.push(reparent(handle, parent));
    namespace[commitSnapshot](target);
    undos.push(() => namespace[commitSnapshot]("pop"));
    for (const [handle, scope] of shadow.addedScopes()) {
      const had = namespace.scopes.has(handle);
      const before = namespace.scopes.get(handle);
      namespace.scopes.set(handle, scope);
      undos.push(() => {
        if (had) namespace.scopes.set(handle, before);
        else namespace.scopes.delete(handle);
      });
    }
  } catch (error) {
    undoAll(undos);
    throw error;
  }
  // The edits only, not the shadow: the record keeps nothing else of it.
  return replaceRecord(namespace, shadow.baseVersion, target.version, shadow[editsOf](), undos);
}

/** The record of a replace from `fromVersion` to `toVersion`, which `undos` undo. */
function replaceRecord(
  namespace: Namespace,
  fromVersion: number,
  toVersion: number,
  edits: Pick<ReplaceRecord, "patches" | "inversePatches">,
  undos: readonly Undo[],
): ReplaceRecord {
  let undone = false;
  const refusal = (): UndoError | undefined => {
    if (undone || namespace.version !== toVersion) {
      return new UndoError(
        `cannot undo the replace of ${namespace.name} to version ${toVersion}: ${undone ? "already undone" : `the namespace is now at version ${namespace.version}`}`,
        { namespace: namespace.name, version: toVersion },
      );
    }
    const history = namespace.history;
    if (history[history.length - 2]?.version === fromVersion) return undefined;
    return new UndoError(
      `cannot undo version ${toVersion} of namespace ${namespace.name}: the version before it is no longer kept (forgetHistoryBefore dropped it)`,
      { namespace: namespace.name, version: toVersion },
    );
  };
  const record: ReplaceRecord = {
    namespace,
    fromVersion,
    toVersion,
    get patches() {
      return edits.patches;
    },
    get inversePatches() {
      return edits.inversePatches;
    },
    undo() {
      // Everything asked before the first undo runs: the pop of the history
      // refused only after the scopes were restored, and marked this undone.
      const refused = refusal();
      if (refused !== undefined) throw refused;
      undone = true;
      undoAll(undos);
    },
  };
  refusals.set(record, refusal);
  return record;
}
