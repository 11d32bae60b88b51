/**
 * One object back on its class's old layout, in a rollback (rollback.ts):
 * the values it had, those the program wrote since to fields both layouts
 * have, and for an object made since the commit the old version's initial
 * values — those whose initialiser reads the object or other managed ones
 * computed once the old version is back (`runLate`).
 */
import { applyState } from "../mop/rewriting/applyState.js";
import { isKept, keptProperties, NOTHING_KEPT } from "../mop/rewriting/keptProperties.js";
import type { ObjectState } from "../mop/rewriting/stateTable.js";
import { CONFIGURABLE, captureState, stateToTable } from "../mop/rewriting/stateTable.js";
import { hasUnmanagedState, rolledBackState } from "./carriedState.js";
import type { MigrationLog, Retained } from "./migrationLog.js";
import { restoreOldLayout, rewriteFields } from "./instanceMigration.js";
import type { Plan } from "./migrationPlan.js";
import { heldObject } from "./proxies.js";
import { restoreContainers } from "./heldContainers.js";

export interface LateDefault {
  readonly object: object;
  readonly key: string;
  readonly fn: (this: object) => unknown;
  /** What the field keeps when the initialiser throws (else undefined). */
  readonly orElse?: unknown;
}

export function reverseOne(
  object: object,
  plan: Plan,
  retained: Retained | undefined,
  late?: LateDefault[],
  /** Its migration rewrote its fields alone (restoreOldLayout `symbolsStay`). */
  fieldsAlone = false,
  /** Made since the commit, by the new version (not an object the update migrated). */
  madeSince = false,
): void {
  // Its migrators converted them in place: the old code reads them as they were (heldContainers.ts).
  restoreContainers(retained?.containers ?? null);
  // No log holds its old state: rewritten through a Proxy hiding fields, it lost them.
  if (madeSince) object = heldObject(plan, object);
  const { keys, values } = reversedFields(object, plan, retained, late, madeSince);
  if (madeSince) {
    // Its old fields go around what it holds (restoreOldLayout).
    restoreOldLayout(object, plan, keys, values, retained, fieldsAlone);
    return;
  }
  const now = Object.keys(object);
  const state = reversedState(object, plan, keys, values, retained, fieldsAlone, false, now);
  if (state === undefined) rewriteFields(object, now, keys, values, true);
  else applyState(object, state);
}

/**
 * Why `reverseOne` with the same arguments would stop part-way on `object`
 * (a property it cannot delete or give its old value back), or undefined:
 * a rollback asks it first of every object that has a property it cannot
 * delete or assign (the others take every step), and refuses before the
 * first write (rollback.ts). Runs no initialiser.
 */
export function reversalRefused(
  object: object,
  plan: Plan,
  retained: Retained | undefined,
  fieldsAlone: boolean,
  madeSince: boolean,
): string | undefined {
  const { keys, values } = reversedFields(object, plan, retained, [], madeSince);
  const target = reversedState(object, plan, keys, values, retained, fieldsAlone, madeSince);
  return target === undefined ? undefined : refusedRewrite(captureState(object), target);
}

/** `reversalRefused` for `log.revertAt(i)`, the exact revert. */
export function revertRefused(log: MigrationLog, i: number): string | undefined {
  const object = log.objectAt(i);
  if (object === undefined) return undefined; // dropped since: nothing to rewrite
  const general = log.preparedAt(i);
  if (general?.carried) return refusedRewrite(captureState(object), general.carried.before);
  // A lean log kept no old values: each comes back from the field it was
  // carried into, so those of the fields both layouts name are what it holds.
  const retained = log.retained(i);
  return fieldsRefused(object, retained?.oldKeys ?? log.compiled.oldLayout, retained?.oldValues);
}

const cannotDelete = (key: PropertyKey) => `given a property it cannot delete (\`${String(key)}\`)`;
const cannotRestore = (key: PropertyKey) =>
  `given a read-only property it cannot give its old value back (\`${String(key)}\`)`;

/**
 * Why a rewrite of an object from `current` to `target` (applyState, on the
 * same prototype) stops part-way, or undefined: a property it deletes that
 * cannot be deleted, or one it keeps in place that is read-only and would
 * take another value. Changes nothing.
 */
function refusedRewrite(current: ObjectState, target: ObjectState): string | undefined {
  const from = stateToTable(current);
  const to = stateToTable(target);
  const kept =
    from.prototypes[0] !== to.prototypes[0] ? NOTHING_KEPT : keptProperties(from, 0, to, 0);
  const named = from.starts[0]! + from.elementCounts[0]!;
  for (let j = from.starts[0]!; j < from.starts[1]!; j++) {
    if ((from.attributes[j]! & CONFIGURABLE) === 0 && !isKept(kept, j, named))
      return cannotDelete(from.keys[j]!);
  }
  // Every property it cannot delete is kept, its attributes the same.
  const changed = current.keys.find((key, i) => {
    const d = current.descriptors[i]!;
    if (d.configurable !== false || d.writable !== false) return false;
    const j = target.keys.indexOf(key);
    return j < 0 || !Object.is(target.descriptors[j]!.value, d.value);
  });
  return changed === undefined ? undefined : cannotRestore(changed);
}

/**
 * Why `rewriteFields(object, Object.keys(object), keys, values)` stops
 * part-way, or undefined: it deletes the enumerable string keys from the
 * first that differs from `keys` on, and assigns those in front of it
 * (`values` undefined: to what they hold) — an assignment to a read-only
 * one throws, configurable or not.
 */
function fieldsRefused(
  object: object,
  keys: readonly string[],
  values: readonly unknown[] | undefined,
): string | undefined {
  const now = Object.keys(object);
  let k = 0;
  while (k < now.length && k < keys.length && now[k] === keys[k]) k++;
  for (let i = 0; i < now.length; i++) {
    const d = Reflect.getOwnPropertyDescriptor(object, now[i]!);
    if (i >= k && d?.configurable === false) return cannotDelete(now[i]!);
    if (i < k && d?.writable === false && values && !Object.is(d.value, values[i]))
      return cannotRestore(now[i]!);
  }
  return undefined;
}

/**
 * The complete state `reverseOne` gives `object`, or undefined where it
 * rewrites its fields alone — every one a plain data field, which a rewrite
 * can always delete and assign. A migrated object whose log kept no
 * complete state had the old layout's fields alone: they come back first,
 * in their order (`rolledBackState` hadOldLayout) — unless a property the
 * program made non-deletable since would then have to move: the fields
 * then go around it, as on an object made since the commit.
 */
function reversedState(
  object: object,
  plan: Plan,
  keys: readonly string[],
  values: readonly unknown[],
  retained: Retained | undefined,
  fieldsAlone: boolean,
  madeSince: boolean,
  names: readonly string[] = Object.keys(object),
): ObjectState | undefined {
  const carried = retained?.carried ?? undefined;
  if (!carried && !hasUnmanagedState(object, names, plan.fieldSet, !fieldsAlone)) return undefined;
  const now = captureState(object);
  const inOrder = !carried && !madeSince;
  const state = rolledBackState(object, plan.fieldSet, keys, values, carried, inOrder, now);
  if (!inOrder || now.descriptors.every((d) => d.configurable !== false)) return state;
  if (refusedRewrite(now, state) === undefined) return state;
  return rolledBackState(object, plan.fieldSet, keys, values, carried, false, now);
}

/** The old layout's fields and the values `reverseOne` gives them. */
function reversedFields(
  object: object,
  plan: Plan,
  retained: Retained | undefined,
  late: LateDefault[] | undefined,
  madeSince: boolean,
): { keys: readonly string[]; values: unknown[] } {
  const current = object as Record<string, unknown>;
  const keys = retained ? retained.oldKeys : plan.oldFields;
  const values = keys.map((k, i) => {
    const newName = plan.reverse.get(k);
    if (newName !== undefined && Object.hasOwn(current, newName)) {
      // A value the program wrote since the commit is kept; a value the
      // migration itself installed goes back to what it was.
      const installed = retained?.newValues[retained.plan.fields.indexOf(newName)];
      const now = current[newName];
      // On an object made since the commit, a field still holding the code
      // the new version's initialiser made (`this.get = this.get.bind(this)`
      // bound the new `get`; codeFields.ts) is made again by the old one once
      // the old version is back, or the object kept calling the new release's
      // code (node-cache's timer threw "Bound instance method accessed before
      // binding" a second after the rollback).
      const fn = plan.oldDefaults.get(k);
      if (madeSince && fn !== undefined && late !== undefined && plan.codeFields.get(k)?.(now)) {
        late.push({ object, key: k, fn, orElse: now });
        return now;
      }
      if (!retained || !Object.is(now, installed)) return now;
    }
    // A field a split moved out comes back from the object that holds it now
    // (an object made since the commit has no other record of it).
    const moved = plan.reverseSplit.get(k);
    const holder = moved !== undefined ? current[moved.via] : undefined;
    if (
      moved !== undefined &&
      typeof holder === "object" &&
      holder !== null &&
      Object.hasOwn(holder, moved.to)
    ) {
      const value = (holder as Record<string, unknown>)[moved.to];
      if (!retained || !Object.is(value, retained.oldValues[i])) return value;
    }
    if (retained) return retained.oldValues[i];
    const fn = plan.oldDefaults.get(k);
    // Run once the old version is back: an initialiser reading `this`
    // (`this.get.bind(this)` bound the new `get`), or calling another
    // managed object, met the new methods and the lazy guards (an `id`
    // from `counter.next()` migrated the pending counter mid-rollback).
    if (fn !== undefined && late !== undefined) {
      late.push({ object, key: k, fn });
      return undefined;
    }
    return oldDefault(plan, k, object);
  });
  return { keys, values };
}

/**
 * The old version's initial value of field `k`, for an object made since the
 * commit (it never had an old state): undefined where the initialiser cannot
 * run outside its class (it reads the module, or fails) — a rollback
 * completes whatever such an object holds.
 */
function oldDefault(plan: Plan, k: string, object: object): unknown {
  const fn = plan.oldDefaults.get(k);
  return fn === undefined ? undefined : safely(fn, object);
}

function safely(fn: (this: object) => unknown, object: object, orElse?: unknown): unknown {
  try {
    return fn.call(object);
  } catch {
    return orElse;
  }
}

/** The late initial values of `reverseOne`, once the old version is back and the guards are gone. */
export function runLate(late: readonly LateDefault[]): void {
  for (const { object, key, fn, orElse } of late) {
    const d = Reflect.getOwnPropertyDescriptor(object, key);
    if (!d || !("value" in d)) continue;
    // The field as the old constructor found it, not assigned yet: what
    // `this.get.bind(this)` reads is the old method, not the new bound one.
    if (orElse !== undefined) {
      const prototype = Object.getPrototypeOf(object) as object | null;
      const unassigned = prototype === null ? undefined : Reflect.get(prototype, key, object);
      Reflect.defineProperty(object, key, { ...d, value: unassigned });
    }
    Reflect.defineProperty(object, key, { ...d, value: safely(fn, object, orElse) });
  }
}
