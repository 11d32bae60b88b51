/**
 * One object back on its class's old layout, in a rollback (rollback.ts):
 * the values it had, those the program wrote since to fields both layouts
 * have, and for an object made since the commit the old version's initial
 * values — those whose initialiser reads the object or other managed ones
 * computed once the old version is back (`runLate`).
 */
import type { Retained } from "./migrationLog.js";
import { restoreOldLayout } from "./instanceMigration.js";
import type { Plan } from "./migrationPlan.js";

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
  restoreOldLayout(object, plan, keys, values, retained, fieldsAlone);
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
