/**
 * Migrators run on a shadow copy before the update is decided; one that can
 * hold its target beyond its run (targetCapture.ts: a callback over it, a
 * helper built with it) left the live object values that point at that
 * discarded copy. Such a migrator, and every one after it, run again at the
 * object's rewrite (eager commit, lazy first touch, progressive sweep), with
 * the same old view and the live object as target, from the state the copy
 * had when the first of them ran: the object is rewritten to that state,
 * its `this`-capturing initialisers computed (thisCapture.ts), and the
 * migrators run on it. Every migrator that runs on it sees what it saw on
 * the copy — a read-modify-write (`target.n += 1`) happens once, and a
 * later migrator's write still has the last word, as they would not if the
 * one migrator were run again over the finished state. What they leave is
 * what the object keeps; the migrators before the first of them run once.
 *
 * Rollback stays exact: the complete state the object had just before its
 * rewrite is kept (as `Carried.before`, the path of objects with unmanaged
 * state), whatever the second run added or removed.
 */
import { MigrationError } from "../errors.js";
import type { ObjectState } from "../mop/rewriting/stateTable.js";
import { captureState } from "../mop/rewriting/stateTable.js";
import type { Migrator, OldView } from "../patch/operations.js";
import type { Carried } from "./carriedState.js";
import { hasUnmanagedState, unmanagedOf } from "./carriedState.js";
import { asyncRefusal, isThenable } from "./synchronous.js";
import { firstCapturing } from "./targetCapture.js";
import { lockRefusal, whileGuarded } from "./replayIntegrity.js";
import { kindOf } from "../valueKinds.js";

/** What a plan's migrators need of it. */
interface MigratedPlan {
  readonly className: string;
  readonly fields: readonly string[];
  readonly fieldSet: ReadonlySet<string>;
  readonly migrators: readonly Migrator[];
}

/** Where the second run starts: the first migrator run again, and the copy's state right before it ran. */
export interface Replay {
  readonly from: number;
  readonly view: OldView;
  /** The copy's fields then, in `plan.fields` order. */
  readonly newValues: readonly unknown[];
  /** What the copy carried then beyond its fields; null for nothing. */
  readonly carried: Carried | null;
}

/** The copy's fields, in plan order. */
const fieldValues = (plan: MigratedPlan, copy: object): unknown[] =>
  plan.fields.map((f) => (copy as Record<string, unknown>)[f]);

/** What the copy carries beyond its fields (unmanaged state), once a migrator has run on it. */
function carriedBy(
  object: object,
  plan: MigratedPlan,
  copy: object,
  carried: Carried | null,
): Carried | null {
  if (!carried && !hasUnmanagedState(copy, Object.keys(copy), plan.fieldSet, true)) return null;
  return {
    before: carried?.before ?? captureState(object),
    ...unmanagedOf(captureState(copy), plan.fieldSet),
  };
}

/**
 * Runs the migrators on the shadow copy, which holds the carried state too:
 * validations see it, and migrators may change it like any field. Returns
 * what the migrated object carries, and where a second run on the object
 * itself starts, if one must.
 */
export function migrateCopy(
  object: object,
  plan: MigratedPlan,
  view: OldView,
  copy: object,
  carried: Carried | null,
): { carried: Carried | null; replay: Replay | null } {
  carried?.keys.forEach((key, i) => {
    Object.defineProperty(copy, key, carried.descriptors[i]!);
  });
  const { migrators } = plan;
  const from = firstCapturing(migrators);
  const run = (m: number) => {
    const returned: unknown = migrators[m]!(view, copy as Record<string, unknown>);
    refuseReturned(returned, plan, copy, nameOf(migrators[m]));
  };
  const until = from < 0 ? migrators.length : from;
  for (let m = 0; m < until; m++) run(m);
  if (migrators.length === 0) return { carried, replay: null };
  if (from < 0) return { carried: carriedBy(object, plan, copy, carried), replay: null };
  const replay = {
    from,
    view,
    newValues: fieldValues(plan, copy),
    carried: carriedBy(object, plan, copy, carried),
  };
  // Those that run again are guarded on the copy as on the object
  // (replayIntegrity.ts): one that always locks its target is refused here,
  // before anything changes.
  let m = from;
  const who = { className: plan.className, migrator: () => nameOf(migrators[m]), object };
  whileGuarded(copy, who, () => {
    for (; m < migrators.length; m++) run(m);
  });
  if (!Object.isExtensible(copy))
    throw lockRefusal(who, "non-extensible (frozen, sealed or preventExtensions)");
  return { carried: carriedBy(object, plan, copy, carried), replay };
}

/**
 * What a revert of an object about to be rewritten for a second run puts
 * back: its complete state now, nothing carried yet.
 */
export const revertibleNow = (object: object): Carried => ({
  before: captureState(object),
  keys: [],
  descriptors: [],
});

/** An own field's value, without running an accessor. */
function ownValue(object: object, key: PropertyKey): unknown {
  const d = Reflect.getOwnPropertyDescriptor(object, key);
  return d !== undefined && "value" in d ? d.value : undefined;
}

/**
 * The second run on `object`, rewritten to `replay`'s state: its migrators
 * from `replay.from` on, with the live object as target. `newValues` holds
 * what the first run left on the copy, which validations saw, and gets what
 * the object now holds; returns what it carries, its state `before` the
 * rewrite kept for the revert. A throw is its rewrite's failure: the caller
 * reverts the object. Refused, before the object is kept: locking it
 * (replayIntegrity.ts), and leaving a field missing or of another kind than
 * the first run left it (its validations saw that one).
 */
export function migrateAgain(
  object: object,
  plan: MigratedPlan,
  replay: Replay,
  newValues: unknown[],
  before: ObjectState,
): Carried {
  const { migrators } = plan;
  let migrator: Migrator | undefined;
  const who = { className: plan.className, migrator: () => nameOf(migrator), object };
  try {
    whileGuarded(object, who, () => {
      for (let m = replay.from; m < migrators.length; m++) {
        migrator = migrators[m]!;
        const returned: unknown = migrator(replay.view, object as Record<string, unknown>);
        refuseReturned(returned, plan, object, nameOf(migrator));
      }
    });
  } catch (error) {
    if (error instanceof MigrationError && error.details.object === object) throw error;
    throw new MigrationError(
      `running migrator ${nameOf(migrator)} of a ${plan.className} instance again on the object itself (it can hold its target beyond its run) threw: ${(error as Error)?.message ?? String(error)}`,
      { className: plan.className, object, cause: error },
    );
  }
  // Locked by a function the guard did not replace: this object cannot be undone.
  if (!Object.isExtensible(object))
    throw lockRefusal(who, "non-extensible (frozen, sealed or preventExtensions)");
  refuseOtherFields(object, plan, newValues, nameOf(migrator));
  plan.fields.forEach((f, i) => {
    newValues[i] = ownValue(object, f);
  });
  return {
    before,
    ...unmanagedOf(captureState(object), plan.fieldSet),
    installedPrototype: Object.getPrototypeOf(object) as object | null,
  };
}

const nameOf = (migrator: Migrator | undefined): string => migrator?.name || "(anonymous)";

/**
 * A migrator writes into its target; what it returns is ignored. A promise
 * means writes after an await, which would be lost. An object holding the
 * class's fields (`old => ({ unit: "kg" })`, the shape `addField`'s
 * `initial` takes) means values meant for the target: the update committed
 * with the field undefined, and no warning (migratorWrites.ts took the
 * literal's key for a write). Any other value passes: an arrow's
 * expression body returns what it evaluates (`(o, t) => (t.n = 1)`,
 * `t.items.push(x)`, `Object.assign(t, …)`), harmlessly.
 */
function refuseReturned(returned: unknown, plan: MigratedPlan, target: object, name: string): void {
  if (isThenable(returned)) throw asyncRefusal(returned, `migrator ${name}`);
  if (returned === null || typeof returned !== "object" || returned === target) return;
  // A field's own value, read without running an accessor (`t.opts = {…}`, `t.set.add(x)`).
  if (Reflect.ownKeys(target).some((k) => ownValue(target, k) === returned)) return;
  const keys = Object.keys(returned).filter(
    (k) => plan.fieldSet.has(k) || Object.hasOwn(target, k),
  );
  if (keys.length === 0) return;
  const listed = keys.map((k) => `\`${k}\``).join(", ");
  throw new Error(
    `migrator ${name} of ${plan.className} returned an object with ${listed}: a migrator writes into \`target\` (its second parameter); it returned a value, which is ignored. Write \`target.${keys[0]} = …\` (or \`Object.assign(target, …)\`) in a block body`,
  );
}

/**
 * Refuses what the second run left that its first did not: a field gone, or
 * one whose value is of another kind (a number where a string was) — what
 * the first left is what validations checked. A value built again (a
 * callback, a helper over the object) is another value of the same kind.
 */
function refuseOtherFields(
  object: object,
  plan: MigratedPlan,
  first: readonly unknown[],
  migrator: string,
): void {
  plan.fields.forEach((field, i) => {
    const d = Reflect.getOwnPropertyDescriptor(object, field);
    // An accessor's value is not read here (its getter may throw).
    if (d !== undefined && !("value" in d)) return;
    const had = d !== undefined;
    const now = kindOf(d?.value);
    const was = kindOf(first[i]);
    if (now === was) return;
    throw new MigrationError(
      `migrator ${migrator} of a ${plan.className} instance, run again on the object itself (it can hold its target beyond its run), left field "${field}" ${had ? `a value of kind ${now}` : "deleted"} where its first run, which validations checked, left ${was}: the update is refused rather than keep what nothing validated; make the migrator do the same on every run`,
      { className: plan.className, migrator, field, object, first: was, second: now },
    );
  });
}
