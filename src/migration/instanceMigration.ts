/**
 * Migrating one object: its new field values are computed first (default
 * migrator: values follow names through renames; new fields get their
 * initialiser or default; then application migrators), into a shadow copy
 * that validations can look at. Only then is the object rewritten in place:
 * the fields after the longest common prefix of old and new layout are
 * deleted from the end backwards (V8's fast "delete last property" path) and
 * the new ones added in the new constructor's order. The prototype never
 * changes (class handles keep one prototype per class), so the object keeps
 * its identity, stays in fast mode, shares one map with the objects migrated
 * alike, and can be migrated back just as cheaply.
 */
import { MigrationError } from "../errors.js";
import { createShadowCopy } from "../mop/instances/shadowCopies.js";
import { applyState, blockedRewrite } from "../mop/rewriting/applyState.js";
import type { ObjectState } from "../mop/rewriting/stateTable.js";
import { elementsOf } from "./arrayElements.js";
import { ownStateOf } from "./stateBefore.js";
import type { FieldInitialiser, Migrator, OldView } from "../patch/operations.js";
import { ownKeysOf, valuesOf } from "./ownState.js";
import type { Carried } from "./carriedState.js";
import type { Rebind } from "./thisCapture.js";
import { fixedPropertyError } from "./fixedProperties.js";
import type { UnseenFields } from "./unseenFields.js";
import { rebindFields, rebindsOf } from "./thisCapture.js";
import { asyncRefusal, isThenable } from "./synchronous.js";
import type { HeldContainers } from "./heldContainers.js";
import { changedContainers, recordContainers, restoreContainers } from "./heldContainers.js";
import type { Replay } from "./targetReplay.js";
import { migrateAgain, migrateCopy, revertibleNow } from "./targetReplay.js";
import {
  carriedFieldNames,
  carriedFrom,
  hasUnmanagedState,
  migratedState,
  rolledBackState,
  viewEntries,
} from "./carriedState.js";

export type FieldSource =
  /** The old value of field `from`; an old object without it gets `otherwise` (e.g. a field pulled up). */
  | { readonly kind: "carry"; readonly from: string; readonly otherwise: FieldSource }
  | { readonly kind: "initial"; readonly fn: FieldInitialiser }
  | {
      readonly kind: "default";
      readonly fn: (this: object) => unknown;
      /** Whether the source can read `this` (the object being built): then it runs on a shadow copy. */
      readonly readsThis: boolean;
      /**
       * Whether its value can hold `this` (a bound method, an arrow function, `new Helper(this)`):
       * then it is computed again on the object itself once rewritten (thisCapture.ts).
       */
      readonly capturesThis: boolean;
      /** The value, when the source is a JSON primitive literal. */
      readonly constant?: { readonly value: unknown };
    }
  | { readonly kind: "split"; readonly make: (old: OldView) => object }
  | { readonly kind: "none" };

/** How every instance of one old version becomes an instance of the new one. Computed once per class. */
export interface ClassMigrationPlan {
  /** The class's name after the update. */
  readonly className: string;
  /** The class's stable prototype: instances are found by it and keep it. */
  readonly prototype: object;
  /** Every field of the new version, inherited first. */
  readonly fields: readonly string[];
  /** The new fields, as a set. */
  readonly fieldSet: ReadonlySet<string>;
  /**
   * Every field name of the old and the new layout: an own property named by
   * neither is not the migration's to delete (carriedState.ts).
   */
  readonly known: ReadonlySet<string>;
  readonly sources: readonly FieldSource[];
  /** Application migrators of the class and its ancestors, root first. */
  readonly migrators: readonly Migrator[];
  /** Whether user code (migrators, initialisers, splits) reads the old object: it gets a frozen copy. */
  readonly needsOldView: boolean;
  /** Whether an object's symbol keys must move with the rewrite (trailingSymbols.ts). */
  readonly symbolsMove: boolean;
  /**
   * Whether the new state is built as a shadow copy (an object on the class
   * prototype): for migrators (they write to it), defaults (they may read
   * `this`) and validations (they inspect it). Otherwise only an array of
   * values is made, which keeps large eager updates light on the GC.
   */
  readonly needsCopy: boolean;
  /** What shadow copies sit on: the new version's members in front of `prototype` (copyPrototype.ts). */
  readonly copyPrototype: object;
  /** Fields the new version may create that its source does not name (unseenFields.ts). */
  readonly unseen: UnseenFields;
  /** Methods the new version turns into state only a migrator can give (methodsBecomingState.ts). */
  readonly stateFromMethods?: readonly string[];
}

/** An object's migration, computed but not applied. */
export interface PreparedMigration {
  readonly object: object;
  readonly plan: ClassMigrationPlan;
  /**
   * The object's own fields and their values before the update: its own
   * enumerable string keys, or, when it carries unmanaged state, the old and
   * new layouts' fields it has.
   */
  readonly oldKeys: readonly string[];
  readonly oldValues: readonly unknown[];
  /** The new values, in `plan.fields` order. */
  readonly newValues: readonly unknown[];
  /**
   * The shadow copy with the new fields (what validations inspect), when the
   * plan needs one; dropped once applied, so that it is never found as an
   * instance (a heap query finds whatever is reachable on the prototype).
   */
  copy: object | null;
  /**
   * Unmanaged own state carried over (carriedState.ts); null for an object
   * that has none. A second run (`replay`) sets it when applied, to revert
   * to the complete state the object had.
   */
  carried: Carried | null;
  /** Fields computed again on the object once rewritten (thisCapture.ts); null for none. */
  readonly rebinds: readonly Rebind[] | null;
  /** Migrators run again on the object once rewritten (targetReplay.ts); null for none, and once applied. */
  replay: Replay | null;
  /**
   * What the containers its fields hold contained before its migration code
   * ran (heldContainers.ts): put back wherever the migration is undone.
   */
  readonly containers: HeldContainers;
}

function oldViewOf(keys: readonly string[], values: readonly unknown[]): OldView {
  const view: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) view[keys[i]!] = values[i];
  return Object.freeze(view);
}

/** The old view of an object with unmanaged state: every own property, symbol-keyed ones included. */
function fullViewOf(entries: readonly [PropertyKey, unknown][]): OldView {
  const view: Record<PropertyKey, unknown> = {};
  for (const [key, value] of entries) view[key] = value;
  return Object.freeze(view) as OldView;
}

/** Computes an object's migration without changing it. Throws MigrationError naming the object. */
export function prepareMigration(
  object: object,
  plan: ClassMigrationPlan,
  index: number,
  /** Told about the shadow copy as soon as it exists (lazy guards must not migrate it). */
  onCopy?: (copy: object) => void,
): PreparedMigration {
  const record = object as Record<string, unknown>;
  const { oldKeys, before } = ownStateOf(object, ownKeysOf(object, plan.className, index), plan);
  const { fields, sources } = plan;
  // Marked, so that no finder reports it as an instance (it sits on the class prototype).
  const copy = plan.needsCopy ? createShadowCopy(plan.copyPrototype) : null;
  if (copy) onCopy?.(copy);
  const values: unknown[] = new Array(fields.length);
  let field = "";
  const oldValues = valuesOf(object, oldKeys, plan.className, index);
  // User code gets the live containers through `target` and the old view.
  const containers = plan.needsOldView ? recordContainers(oldValues) : null;
  let carried: Carried | null = null;
  let replay: Replay | null = null;
  const capturing: Rebind[] = [];
  try {
    // Framework code reads the live object; user code gets a frozen copy, so
    // nothing it does can touch the object before the commit.
    const view: OldView = !plan.needsOldView
      ? record
      : before
        ? fullViewOf(viewEntries(object, before))
        : oldViewOf(oldKeys, oldValues);
    for (let i = 0; i < fields.length; i++) {
      field = fields[i]!;
      const source = effectiveSource(sources[i]!, view);
      // One that captures `this` runs once, on the object itself once it is
      // rewritten (thisCapture.ts): run on the copy too, its side effects
      // happened twice — `setInterval(() => this.tick())` left a timer
      // ticking a phantom copy for ever.
      const captures = source.kind === "default" && source.capturesThis;
      const value = captures ? undefined : sourcedValue(source, view, copy);
      if (captures) capturing.push({ index: i, fn: source.fn });
      // A value carried over may well be a promise (a field holding one): only computed ones are refused.
      if (source.kind !== "carry" && isThenable(value))
        throw asyncRefusal(value, `the initialiser of field "${field}"`);
      values[i] = value;
      // Defined, not assigned: until the commit the prototype is the old
      // version's, whose accessor of the same name must not run.
      if (copy) defineField(copy, field, value);
    }
    field = "";
    carried = before ? carriedFrom(before, plan.known) : null;
    if (copy) ({ carried, replay } = migrateCopy(object, plan, view, copy, carried));
  } catch (error) {
    restoreContainers(containers);
    const what = field ? `computing field "${field}" of` : "running the migrator of";
    throw new MigrationError(
      `${what} ${plan.className} instance #${index} threw: ${(error as Error)?.message ?? String(error)}`,
      { className: plan.className, field: field || undefined, index, object, cause: error },
    );
  }
  const newValues = copy && plan.migrators.length > 0 ? fields.map((f) => copy[f]) : values;
  return {
    object,
    plan,
    oldKeys,
    oldValues,
    newValues,
    copy,
    carried,
    rebinds: copy ? rebindsOf(capturing, copy, values, newValues) : null,
    replay,
    containers: changedContainers(containers),
  };
}

/** The source a field's value comes from for an object whose old view is `view`. */
function effectiveSource(source: FieldSource, view: OldView): FieldSource {
  while (source.kind === "carry" && !Object.hasOwn(view, source.from)) source = source.otherwise;
  return source;
}

/** The value a field takes from its source. */
function sourcedValue(source: FieldSource, view: OldView, copy: object | null): unknown {
  switch (source.kind) {
    case "carry":
      return view[source.from];
    case "initial":
      return source.fn(view);
    case "default":
      return source.fn.call(copy ?? {});
    case "split":
      return source.make(view);
    default:
      return undefined;
  }
}

function defineField(object: object, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/** How many keys two layouts have in common at their start. */
export function commonPrefix(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  let k = 0;
  while (k < n && a[k] === b[k]) k++;
  return k;
}

/**
 * Rewrites `object`'s own fields from layout `keysNow` to `toKeys` with `toValues`;
 * `elementsApart`: an array's elements in `keysNow` stay (arrayElements.ts).
 */
export function rewriteFields(
  object: object,
  keysNow: readonly string[],
  toKeys: readonly string[],
  toValues: readonly unknown[],
  elementsApart = false,
): void {
  const record = object as Record<string, unknown>;
  const elements = elementsApart ? elementsOf(object, keysNow) : 0;
  const fromKeys = elements === 0 ? keysNow : keysNow.slice(elements);
  const k = commonPrefix(fromKeys, toKeys);
  for (let i = fromKeys.length - 1; i >= k; i--) delete record[fromKeys[i]!];
  for (let i = 0; i < k; i++) {
    const key = toKeys[i]!;
    if (record[key] !== toValues[i]) record[key] = toValues[i];
  }
  for (let i = k; i < toKeys.length; i++) {
    const key = toKeys[i]!;
    // A key the prototype chain has is defined, not assigned: an assignment
    // would run its accessor. A rollback restores old fields while the new
    // version's members are still installed, and a release may turn a field
    // into an accessor (three 0.160's `updateRange`: a getter only, and the
    // rollback threw half done).
    if (key in record) defineField(record, key, toValues[i]);
    else record[key] = toValues[i];
  }
}

/** The old field each new field is carried from (through renames), if any. */
export const carriedFromFields = (plan: ClassMigrationPlan): (string | undefined)[] =>
  plan.sources.map((source) => (source.kind === "carry" ? source.from : undefined));

/**
 * The complete state a prepared migration of an object with unmanaged state
 * gives it: each carried field keeps the attributes it had (carriedState.ts).
 */
function migratedStateOf(
  { plan }: PreparedMigration,
  { carried, newValues }: Pick<PreparedMigration, "carried" | "newValues">,
): ObjectState {
  return migratedState(
    carried!,
    plan.fields,
    newValues,
    carriedFromFields(plan),
    plan.migrators.length === 0,
  );
}

/**
 * Applies a prepared migration in place; fields whose value holds `this`
 * are then computed again on the object (thisCapture.ts), and migrators
 * that can hold their target run again on it (targetReplay.ts), after
 * which `newValues` holds what was installed.
 */
export function applyMigration(prepared: PreparedMigration): void {
  const { object, plan, replay } = prepared;
  const newValues = prepared.newValues as unknown[];
  // A second run starts from the copy's state before it; a revert then
  // puts back the complete state the object has now.
  const from = replay ?? prepared;
  if (replay) prepared.carried = revertibleNow(object);
  // The migrators run again on the live object: they find its containers as the first run did.
  if (replay) restoreContainers(prepared.containers);
  if (from.carried) applyState(object, migratedStateOf(prepared, from));
  else rewriteFields(object, prepared.oldKeys, plan.fields, from.newValues);
  prepared.copy = null;
  if (prepared.rebinds) rebindFields(object, plan, prepared.rebinds, newValues);
  if (!replay) return;
  prepared.carried = migrateAgain(object, plan, replay, newValues, prepared.carried!.before);
  prepared.replay = null;
}

/** Puts a migrated object back exactly as it was before `applyMigration` (values, keys, prototype). */
export function revertMigration(prepared: PreparedMigration): void {
  restoreContainers(prepared.containers);
  if (prepared.carried) applyState(prepared.object, prepared.carried.before);
  else
    rewriteFields(
      prepared.object,
      Object.keys(prepared.object),
      prepared.oldKeys,
      prepared.oldValues,
      true,
    );
}

/**
 * Refuses, before anything changes, an object whose rewrite would have to
 * delete an own property it cannot (not configurable: three's Object3D
 * defines `normalMatrix` so). Found only at the commit, it failed there
 * every time (MM_COMMIT_FAILED, whose advice is to retry).
 */
export function refuseFixedProperties(prepared: PreparedMigration, index: number): void {
  const { plan, carried } = prepared;
  if (!carried || carried.before.descriptors.every((d) => d.configurable !== false)) return;
  const state = migratedStateOf(prepared, prepared);
  const block = blockedRewrite(carried.before, state);
  if (block !== undefined) throw fixedPropertyError(plan.className, index, block, state);
}

/** The fields a migrated object's new state must have, in order: its class's, then carried ones. */
export function expectedFields(prepared: PreparedMigration): readonly string[] {
  const { carried, plan } = prepared;
  return carried ? [...plan.fields, ...carriedFieldNames(carried, plan.known)] : plan.fields;
}

/**
 * Gives a migrated object the old layout `keys` with `values` (a rollback),
 * keeping every own property that is not a field of the new layout: what the
 * migration carried and what the program added since.
 */
export function restoreOldLayout(
  object: object,
  plan: ClassMigrationPlan,
  keys: readonly string[],
  values: readonly unknown[],
  retained: Pick<PreparedMigration, "carried"> | undefined,
  /**
   * Its migration rewrote its string fields alone (`rewriteFields`), leaving
   * its symbol keys in place in V8's order: so does the rollback. Rewritten
   * from complete states, they were deleted as if last (as `Reflect.ownKeys`
   * lists them) and the object went to dictionary mode.
   */
  symbolsStay = false,
): void {
  const now = Object.keys(object);
  if (!retained?.carried && !hasUnmanagedState(object, now, plan.fieldSet, !symbolsStay)) {
    rewriteFields(object, now, keys, values, true);
    return;
  }
  applyState(
    object,
    rolledBackState(object, plan.fieldSet, keys, values, retained?.carried ?? undefined),
  );
}
