/**
 * Objects no migration can rewrite in place: frozen, sealed or not
 * extensible, or with an own property that cannot be deleted where the
 * new layout must move it. An eager update meets them as it prepares each
 * object (migrationLog.ts, instanceMigration.ts `refuseFixedProperties`)
 * and refuses the update before anything changes. A lazy or progressive
 * update prepares nothing before its commit: it would meet them at first
 * touch and roll back, under new code already running (tough-cookie 4 -> 5,
 * whose Cookie defines `creationIndex` non-configurable). So where the
 * running constructor makes such objects, their objects are looked at
 * before the commit — their shape only, no migrator runs.
 */
import { currentVersion } from "../mop/classHandle.js";
import { undeletableInRewrite } from "../mop/rewriting/applyState.js";
import { captureState } from "../mop/rewriting/stateTable.js";
import { readableClassSource } from "../mop/source/readableSource.js";
import type { Namespace } from "../namespace/namespace.js";
import { UnswappableObjectError } from "../errors.js";
import { carriedFrom, migratedState } from "./carriedState.js";
import { carriedFromFields, fixedPropertyError } from "./instanceMigration.js";
import type { Plan } from "./migrationPlan.js";

/**
 * Whether the running version's constructor defines fields no migration
 * can delete or move (tough-cookie's `creationIndex`, three's `id`), or
 * freezes the object: a lazy
 * or progressive update then prepares every object before its commit, as a
 * dry run, so that one it cannot migrate is refused now rather than rolling
 * the update back at first touch.
 */
export function definesFixedFields(plan: Plan): boolean {
  const parsed = readableClassSource(currentVersion(plan.handle).ctor);
  if (parsed === undefined) return false;
  return parsed.fixedFields.length > 0 || FREEZES_ITSELF.test(parsed.constructorSource ?? "");
}

/** `Object.freeze(this)` and its kind in a constructor: its objects cannot be migrated in place. */
const FREEZES_ITSELF = /\b(?:Object|Reflect)\.(?:freeze|seal|preventExtensions)\(\s*this\s*\)/;

/**
 * Refuses the update if an object of a class whose running constructor
 * makes unswappable objects (`definesFixedFields`) cannot be migrated.
 */
export function refuseUnswappableAhead(namespace: Namespace, plans: readonly Plan[]): void {
  for (const plan of plans) {
    if (!definesFixedFields(plan)) continue;
    namespace.finder.find(plan.prototype).forEach((object, index) => {
      if (!Object.isExtensible(object)) throw unextensibleError(object, plan, index);
      const before = captureState(object);
      if (before.descriptors.every((d) => d.configurable !== false)) return;
      const shape = migratedState(
        carriedFrom(before, plan.known),
        plan.fields,
        plan.fields.map(() => undefined),
        carriedFromFields(plan),
        plan.migrators.length === 0,
      );
      const key = undeletableInRewrite(before, shape);
      if (key !== undefined) throw fixedPropertyError(plan.className, index, key);
    });
  }
}

/** The refusal of an object that cannot be extended (phases/commit.ts reports it too). */
export function unextensibleError(
  object: object,
  plan: Plan,
  index: number,
): UnswappableObjectError {
  const what = Object.isFrozen(object)
    ? "frozen"
    : Object.isSealed(object)
      ? "sealed"
      : "not extensible";
  return new UnswappableObjectError(
    `${plan.className} instance #${index} is ${what} and cannot be migrated in place; hold it through an instance handle`,
    { className: plan.className, index, object },
  );
}
