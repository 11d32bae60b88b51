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
import { blockedRewrite } from "../mop/rewriting/applyState.js";
import { captureState } from "../mop/rewriting/stateTable.js";
import { readableClassSource } from "../mop/source/readableSource.js";
import type { Namespace } from "../namespace/namespace.js";
import { UnswappableObjectError } from "../errors.js";
import { carriedFrom, migratedState } from "./carriedState.js";
import { writtenFields } from "./compiledSource.js";
import { fixedPropertyError } from "./fixedProperties.js";
import { carriedFromFields } from "./instanceMigration.js";
import type { Plan } from "./migrationPlan.js";

/**
 * Whether the running version's constructors (the class's and its
 * superclasses') may make objects this update cannot migrate in place:
 * fields defined non-configurable (tough-cookie's `creationIndex`, three's
 * `id`; a descriptor the source cannot read counts), the object frozen —
 * where the update may have to move such a field.
 */
export function definesFixedFields(plan: Plan): boolean {
  const sources: string[] = [];
  const fixed: string[] = [];
  for (
    let c: unknown = currentVersion(plan.handle).ctor;
    typeof c === "function" && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  ) {
    const parsed = readableClassSource(c as Function);
    if (parsed === undefined) continue;
    fixed.push(...parsed.fixedFields);
    sources.push(parsed.constructorSource ?? "");
  }
  if (sources.some((s) => FREEZES_ITSELF.test(s) || DEFINES_UNREAD.test(s))) return true;
  if (fixed.length === 0) return false;
  // Appending after old fields left in place moves none of them; a hidden
  // one after them would go after the new fields (instanceMigration.ts).
  const { oldLayout } = plan.compiled;
  return writtenFields(plan, oldLayout).length > 0 || !fixed.every((f) => oldLayout.includes(f));
}

/** `Object.freeze(this)` and its kind in a constructor: its objects cannot be migrated in place. */
const FREEZES_ITSELF = /\b(?:Object|Reflect)\.(?:freeze|seal|preventExtensions)\(\s*this\s*\)/;
/**
 * Definitions on `this` the source reader does not read: several at once, a
 * descriptor held in a variable, a key computed (yaml's Schema defines
 * `Node.MAP` and two more symbols so: a lazy update of it committed, then
 * rolled back at the first call on a Schema).
 */
const DEFINES_UNREAD =
  /\bdefineProperties\(\s*this\b|\bdefineProperty\(\s*this\s*,(?:[^,]+,\s*[A-Za-z_$]|\s*[^\s"'`])/;

/**
 * Refuses the update if an object of a class whose running constructor
 * makes unswappable objects (`definesFixedFields`) cannot be migrated. Run
 * before any of the patch's code (a migrator, an initialiser of its own, a
 * validation) where some would run: met only as each state was prepared,
 * the refusal came after a migrator had run on the objects before it
 * (review advY1).
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
      const block = blockedRewrite(before, shape);
      if (block !== undefined) throw fixedPropertyError(plan.className, index, block, shape);
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
