/**
 * Rolling a committed update back: every object on the new layout goes back
 * to the old one — the values the migration installed return to what they
 * were, values the program wrote since to fields both versions have are
 * kept — and then the namespace's bindings and class versions.
 */
import { MetamorphError, RollbackError } from "../errors.js";
import type { ReplaceRecord } from "../namespace/bulkReplace.js";
import type { Namespace } from "../namespace/namespace.js";
import { holdBindings } from "../namespace/snapshotHistory.js";
import type { OutsideBuilt, OutsideHomes } from "./outsideBuilt.js";
import { findOnHomes } from "./outsideBuilt.js";
import type { EarlierCompletion, LazyMigration } from "./lazyCompletion.js";
import type { MigrationLog } from "./migrationLog.js";
import type { Plan } from "./migrationPlan.js";
import {
  type LateDefault,
  reversalRefused,
  reverseOne,
  revertRefused,
  runLate,
} from "./reverseObject.js";

export interface Committed {
  readonly patch: string;
  readonly namespace: Namespace;
  readonly plans: readonly Plan[];
  /** Eager migrations applied in the commit, one log per plan. */
  readonly applied: MigrationLog[];
  /** How many objects the commit migrated (eager). */
  readonly migrated: number;
  readonly lazy: LazyMigration | undefined;
  readonly record: ReplaceRecord;
  /** Objects the replaced implementations had built outside their handles, moved in by the commit. */
  readonly builtOutside: OutsideBuilt;
  /** Where the implementations this update installed build outside their handles. */
  readonly installedHomes: OutsideHomes;
  /** Objects those implementations had built before the update (a rollback leaves them). */
  readonly preexisting: WeakSet<object>;
  /** The earlier lazy update this one completed first (reopened by its rollback). */
  readonly earlier: EarlierCompletion | undefined;
}

/** Every object the update migrated (eager and so far lazily), with its log and place in it. */
export function migratedEntries(
  applied: readonly MigrationLog[],
  lazy: LazyMigration | undefined,
): Map<object, { readonly log: MigrationLog; readonly index: number }> {
  const entries = new Map<object, { log: MigrationLog; index: number }>();
  for (const log of [...applied, ...(lazy?.logs ?? [])]) {
    for (let index = 0; index < log.length; index++) {
      const object = log.objectAt(index); // undefined: dropped since the log was weakened
      if (object !== undefined) entries.set(object, { log, index });
    }
  }
  return entries;
}

/**
 * The objects on each plan's class prototype: what the finder returns, and
 * the objects the update migrated that it does not return — wherever their
 * prototype is now, each goes back to its old layout, exactly as it was.
 * A lazy guard migrates any object that reaches it, one a package's own
 * code built outside the handle included, which the registry never
 * recorded; and the program may have moved a migrated object off its
 * class's prototype since (`Object.setPrototypeOf(a, Object.assign(
 * Object.create(Acc.prototype), { audit }))`: a mixin with an enumerable
 * method, which the finders do not take for one, finder.ts
 * `perObjectHome`). Left out, such an object kept the new layout under the
 * old methods.
 */
function objectsOnPrototypes(
  committed: Committed,
  entries = migratedEntries(committed.applied, committed.lazy),
): object[][] {
  const { namespace, plans, lazy } = committed;
  const found = plans.map((plan) => namespace.finder.find(plan.prototype));
  if (entries.size === 0) return found;
  // An eager update migrated what the finder found, and a heap query finds
  // every object on the prototype: only a lazy one with the registry may
  // hold others there.
  const unrecorded =
    namespace.finder.kind !== "heap" && lazy !== undefined && lazy.logs.some((l) => l.length > 0);
  const at = new Map(plans.map((plan, p) => [plan.prototype, p]));
  const missed: [object, number][] = [];
  const holders = new Set<object>();
  for (const [object, { log }] of entries) {
    const p = at.get(log.plan.prototype);
    if (p === undefined) continue;
    const home = log.plan.prototype;
    const prototype = Object.getPrototypeOf(object) as object | null;
    // The prototypes it was given, down to its class's (or the end of its chain).
    for (let q = prototype; q !== null && q !== home; q = Object.getPrototypeOf(q) as object | null)
      holders.add(q);
    if (unrecorded || prototype !== home) missed.push([object, p]);
  }
  if (missed.length === 0) return found;
  const seen = new Set<object>(found.flat());
  for (const [object, p] of missed) if (!seen.has(object)) found[p]!.push(object);
  // A prototype a migrated object was given is no object made since the
  // commit: given the old version's defaults, the mixin's own keys became
  // `audit, id, balance`, which its object then read (the heap finder
  // returns such a mixin, holding state, as an instance).
  if (holders.size === 0) return found;
  return found.map((list) => list.filter((object) => !holders.has(object) || entries.has(object)));
}

/**
 * `exact`: every migrated object gets exactly its state from before the
 * update, even values written since the commit — what an afterCommit hook
 * that failed wrote is undone with the update, inside the same pause.
 * Checked first that the namespace can go back, which it keeps until done:
 * a binding defined meanwhile (by a getter a rewrite reads) is refused.
 */
export function rollBack(
  committed: Committed,
  { exact = false }: { readonly exact?: boolean } = {},
): void {
  const unrestorable = namespaceRefusal(committed);
  if (unrestorable !== undefined) throw unrestorable;
  committed.namespace[holdBindings](`the rollback of update ${committed.patch}`, () =>
    rollBackHeld(committed, exact),
  );
}

function rollBackHeld(committed: Committed, exact: boolean): void {
  const { namespace, plans, applied, lazy, record, builtOutside, installedHomes, preexisting } =
    committed;
  const entries = migratedEntries(applied, lazy);
  // Old initialisers, for objects made since the commit: run once the old
  // version is back and the guards gone (below), not while the new
  // version's methods are installed (see reverseOne).
  const late: LateDefault[] = [];
  // Objects made since the commit, now on the old layout: an earlier lazy
  // update this one completed counts them as migrated when it reopens.
  const since: object[] = [];
  const guarded = lazy?.pendingPossible ?? false;
  // What the installed release built meanwhile has its layout: back to the
  // old one where it is (guards would take it for an unmigrated object),
  // then onto the stable prototype, with the old version's methods.
  // One the old layout cannot be written into (a property it defines
  // non-configurable where the old layout has another) stays on the release
  // that built it.
  const planOf = new Map(plans.map((plan) => [plan.prototype, plan]));
  const planAt = new Map([...installedHomes].map(([stable, home]) => [home, planOf.get(stable)]));
  const builtSince = findOnHomes(
    namespace.finder,
    installedHomes,
    undefined,
    (object) =>
      !preexisting.has(object) &&
      takesOldLayout(object, planAt.get(Object.getPrototypeOf(object) as object)),
  );
  // Looked at before anything changes: an object the program locked since
  // the commit cannot take the old layout back, and a rollback stopped
  // part-way would leave the objects before it old, the classes new.
  const onPrototypes = objectsOnPrototypes(committed, entries);
  const locked = lockedMigrated(committed, { exact, onPrototypes });
  if (locked !== undefined) throw locked;
  // The others are on the old layout.
  const migratedNow = onPrototypes.map((objects) =>
    guarded ? objects.filter((object) => lazy!.isMigrated(object)) : objects,
  );
  for (const { object, stable } of builtSince.entries()) {
    const plan = planOf.get(stable);
    if (plan) reverseOne(object, plan, undefined, late, false, true);
    // Without a plan its layout is this update's old one too: an earlier
    // lazy update reopened must count it as migrated, not pending.
    since.push(object);
  }
  plans.forEach((plan, p) => {
    for (const object of migratedNow[p]!) {
      const entry = entries.get(object);
      if (entry && exact) entry.log.revertAt(entry.index);
      else {
        const retained = entry?.log.retained(entry.index);
        reverseOne(
          object,
          plan,
          retained,
          late,
          entry !== undefined && !retained?.carried,
          entry === undefined,
        );
      }
      if (!entry) since.push(object);
    }
  });
  lazy?.release();
  builtOutside.undo(namespace.finder);
  builtSince.moveIn(namespace.finder);
  record.undo();
  runLate(late);
  reopenEarlier(committed.earlier, since, exact);
}

/**
 * The refusal of a rollback the namespace cannot follow, or undefined: it changed since the
 * commit — a later update, or a binding defined since, by the program or by an afterCommit hook
 * (a define is not part of the update: nothing records it to undo) — or the version the
 * rollback would reinstall is no longer kept (`forgetHistoryBefore`). Changes nothing.
 */
export function namespaceRefusal({
  patch,
  namespace,
  record,
}: Committed): RollbackError | undefined {
  if (namespace.version !== record.toVersion) {
    return new RollbackError(
      `update ${patch} was followed by another update or a binding defined since (namespace ${namespace.name} is at version ${namespace.version}, its commit made version ${record.toVersion}); roll a later update back first — a binding defined since, even by an afterCommit hook, cannot be undone with it; nothing was rolled back`,
      { patch, namespace: namespace.name, version: namespace.version, toVersion: record.toVersion },
    );
  }
  const history = namespace.history;
  if (history[history.length - 2]?.version === record.fromVersion) return undefined;
  return new RollbackError(
    `update ${patch} cannot be rolled back: namespace ${namespace.name} no longer keeps version ${record.fromVersion}, which the rollback would reinstall (forgetHistoryBefore dropped it); nothing was rolled back — make the update permanent instead`,
    { patch, namespace: namespace.name, fromVersion: record.fromVersion },
  );
}

/**
 * The refusal of a rollback that meets a migrated object the program locked since (it cannot
 * take its old layout back), or undefined. Changes nothing: unbranding, which `isMigrated`
 * does, is a change too. `exact` as for `rollBack`: the default, for the afterCommit hook's revert.
 */
export function lockedMigrated(
  committed: Committed,
  {
    exact = true,
    onPrototypes = objectsOnPrototypes(committed),
  }: { readonly exact?: boolean; readonly onPrototypes?: readonly object[][] } = {},
): RollbackError | undefined {
  const { plans, lazy } = committed;
  const uncounted = untrackedSince(committed);
  if (uncounted !== undefined) return uncounted;
  const guarded = lazy?.pendingPossible ?? false;
  // Built only when an object has a property it cannot delete (rare).
  let entries: ReturnType<typeof migratedEntries> | undefined;
  // What stops the rollback's own rewrite of an object that has such a
  // property, tried dry the way it will be made: a field the program made
  // non-configurable since (`amount` after a rename) stopped it part-way,
  // the objects before it on the old layout under the new methods.
  const fixed = (object: object, plan: Plan): string | undefined => {
    entries ??= migratedEntries(committed.applied, lazy);
    const entry = entries.get(object);
    if (entry && exact) return revertRefused(entry.log, entry.index);
    const retained = entry?.log.retained(entry.index);
    const fieldsAlone = entry !== undefined && !retained?.carried;
    return reversalRefused(object, plan, retained, fieldsAlone, entry === undefined);
  };
  for (let p = 0; p < plans.length; p++) {
    const plan = plans[p]!;
    const read = readBack(plan);
    let why: string | undefined;
    const locked = onPrototypes[p]!.find((object) => {
      // A pending object is not rewritten, nor read (a Proxy's trap may throw).
      if (guarded && !lazy!.isMigratedAsIs(object)) return false;
      const seen = !Object.isExtensible(object)
        ? "made non-extensible (frozen, sealed or preventExtensions)"
        : ownPropertiesRefusal(object, read);
      why = seen === true ? fixed(object, plan) : seen;
      return why !== undefined;
    });
    if (locked === undefined) continue;
    return new RollbackError(
      `the update cannot be rolled back: a ${plan.className} object was ${why} after it migrated, and cannot take its old layout back; nothing was rolled back`,
      { className: plan.className, object: locked },
    );
  }
  return undefined;
}

/**
 * Objects of the plans' classes the finder only counted (made past its cap since the commit,
 * untracked.ts): a rollback would leave them on the new layout under the old methods.
 */
function untrackedSince(committed: Committed): RollbackError | undefined {
  try {
    committed.namespace.finder.refuseUntracked?.(committed.plans.map((plan) => plan.prototype));
    return undefined;
  } catch (error) {
    if (!(error instanceof MetamorphError)) throw error;
    return new RollbackError(
      `the update cannot be rolled back: ${error.message}; nothing was rolled back`,
      { ...error.details },
    );
  }
}

/**
 * One look at each own property of `object`, before anything changes: why
 * the rollback cannot read a field it reads back (`reverseOne`) — an own
 * accessor whose getter throws, read mid-rollback, stopped it half-way,
 * the objects before it on the old layout under the new methods (its
 * getter runs twice) —, or true where it has a property a rewrite may stop
 * on (one it cannot delete or assign; an array's `length` aside), whose
 * rewrite is then tried dry. Each descriptor is read once.
 */
function ownPropertiesRefusal(
  object: object,
  { fields, vias }: ReadBack,
): string | true | undefined {
  const array = Array.isArray(object);
  let fixed = false;
  // String keys only: listing symbols too cost four times as much, and the
  // rollback's rewrite keeps symbol keys in place where a property cannot
  // be deleted (keptProperties.ts keeps strings and symbols apart).
  for (const key of Object.getOwnPropertyNames(object)) {
    const d = Reflect.getOwnPropertyDescriptor(object, key);
    if (d?.get !== undefined && fields.has(key)) {
      const why = throwingGetter(object, key);
      if (why !== undefined) return `given an accessor for \`${key}\` whose getter throws (${why})`;
    }
    if (d !== undefined && (d.configurable === false || d.writable === false))
      fixed ||= !(array && key === "length");
  }
  // And on the object a split moved a field into (`size.w`), which it reads too.
  for (const { via, to } of vias) {
    const holder = (object as Record<string, unknown>)[via];
    if (typeof holder !== "object" || holder === null) continue;
    const why = throwingGetter(holder, to);
    if (why !== undefined)
      return `given an accessor for \`${via}.${to}\` whose getter throws (${why})`;
  }
  return fixed || undefined;
}

interface ReadBack {
  /** The fields `reverseOne` reads on the object. */
  readonly fields: ReadonlySet<string>;
  /** And those on the objects a split moved fields into. */
  readonly vias: readonly { readonly via: string; readonly to: string }[];
}

const readBacks = new WeakMap<Plan, ReadBack>();

/** What a rollback reads back from an object of `plan`'s class, looked up once per class. */
function readBack(plan: Plan): ReadBack {
  let read = readBacks.get(plan);
  if (read !== undefined) return read;
  const vias = [...plan.reverseSplit.values()];
  read = { fields: new Set([...plan.reverse.values(), ...vias.map((m) => m.via)]), vias };
  readBacks.set(plan, read);
  return read;
}

/** Why reading `object[key]` throws, where it is an own accessor whose getter does. */
function throwingGetter(object: object, key: string): string | undefined {
  if (Reflect.getOwnPropertyDescriptor(object, key)?.get === undefined) return undefined;
  try {
    Reflect.get(object, key);
    return undefined;
  } catch (error) {
    return (error as Error)?.message ?? String(error);
  }
}

/**
 * Whether `object`, built by the rolled-back release, takes the old layout
 * where it is: `reverseOne` tried dry where it has a property the rewrite
 * may stop on, as for a migrated object (`lockedMigrated`). What a built-in
 * superclass gives every object stays with it (an array's `length`, a
 * RegExp's `lastIndex`, a function's `prototype`): asked to be old fields
 * in their places, they left every object of a class extending Array,
 * RegExp or Function on that release (advZ22). Without a plan it only moves.
 */
function takesOldLayout(object: object, plan: Plan | undefined): boolean {
  if (plan === undefined) return true;
  const seen = ownPropertiesRefusal(object, readBack(plan));
  if (seen !== true) return seen === undefined;
  return reversalRefused(object, plan, undefined, false, true) === undefined;
}

/**
 * Puts back the earlier lazy update that `earlier`'s later update completed
 * before it was built (lazyCompletion.ts completeEarlierUpdate), once that
 * update is undone (rolled back, or refused after the completion): the
 * objects the completion migrated go back to the earlier update's old layout
 * — keeping values written since to fields both layouts have, or `exact`ly
 * — and are pending under it again, its guards in place. Once only.
 */
export function reopenEarlier(
  earlier: EarlierCompletion | undefined,
  since: readonly object[],
  exact: boolean,
): void {
  const checkpoint = earlier?.checkpoint;
  if (!earlier?.lazy || !checkpoint) return;
  earlier.checkpoint = null;
  earlier.lazy.reopen(checkpoint, since, (log, i) => {
    if (exact) log.revertAt(i);
    else {
      const retained = log.retained(i);
      const object = log.objectAt(i);
      if (object) reverseOne(object, log.plan, retained, undefined, !retained?.carried);
    }
  });
}
