/**
 * Instances that are Proxies (a constructor returning `new Proxy(this,
 * handler)`, Vue's `reactive()`, a membrane). The migration reads and
 * writes an object through what the program holds, which for such a class
 * is the Proxy: where its traps hide what the object holds (`ownKeys`,
 * `getOwnPropertyDescriptor`, `has`, `get` leaving out `_`-keys), a field
 * both versions keep looked absent, got its initial value, and the
 * object's real value was overwritten — and the rollback, restoring what
 * it had read, could not put it back.
 *
 * So each Proxy among a migrating class's objects is compared, before
 * anything changes, with the object it stands for (its "shown plan": what
 * the traps show the migration against what the target holds), where Node
 * can tell which that is (src/mop/proxyObjects.ts): a Proxy that shows the
 * fields the migration addresses as the target holds them migrates through
 * it exactly; one that hides or changes them, or whose target cannot be
 * seen, is refused (MM_UNSWAPPABLE_OBJECT, rule `hidden-state`). Only for
 * a class whose constructor may return another object (or creates fields
 * its source does not name: `plan.unseen.any`), or once the program has
 * recorded a Proxy itself (`finder.record`): a look per object costs
 * about what reading its keys does, and no other class's constructions
 * hand out a Proxy. A Proxy of a Proxy is compared with the object at the
 * bottom, found without running a trap of either. A lazy guard never migrates a Proxy it is reached
 * through (lazyCompletion.ts `throughProxy`).
 */
import { UnswappableObjectError } from "../errors.js";
import { isProxy, proxiesRecorded, proxyTarget } from "../mop/proxyObjects.js";
import { unreadableError } from "../mop/unreadableObjects.js";
import type { ClassMigrationPlan } from "./instanceMigration.js";

export { isProxy } from "../mop/proxyObjects.js";

type ShownPlan = Pick<ClassMigrationPlan, "className" | "prototype" | "known" | "unseen">;

/** Refuses the first of `objects` (from `from` on) that is a Proxy showing other state than its target holds. */
export function refuseHiddenState(plan: ShownPlan, objects: readonly object[], from = 0): void {
  if (!mayHoldProxies(plan)) return;
  for (let i = from; i < objects.length; i++) {
    const object = objects[i]!;
    if (isProxy(object)) refuseHiding(plan, object, i);
  }
}

/** Refuses `object` (instance #`index`) if it is a Proxy showing other state than its target holds. */
export function refuseHiddenStateOf(plan: ShownPlan, object: object, index: number): void {
  if (mayHoldProxies(plan) && isProxy(object)) refuseHiding(plan, object, index);
}

/**
 * Whether `plan`'s objects may be Proxies: its constructor may return one,
 * or the program recorded a Proxy itself (`finder.record(proxy)`), of
 * whatever class (proxyObjects.ts `noteRecorded`). Recorded, a Proxy
 * hiding fields of a class whose constructor returns nothing was migrated
 * through its traps unchecked: a hidden field was lost, for good.
 */
function mayHoldProxies(plan: ShownPlan): boolean {
  return plan.unseen.any || proxiesRecorded();
}

/**
 * What a rollback rewrites for `object`, an object the rolled-back
 * release built (no log holds its old state): the object itself where
 * `object` is a Proxy that hides or changes the fields (and Node can tell
 * which object it stands for), else `object`. Rewritten through such a
 * Proxy, the fields it hides were dropped.
 */
export function heldObject(plan: ShownPlan, object: object): object {
  if (!isProxy(object)) return object;
  const target = proxyTarget(object, plan.prototype);
  if (target === undefined) return object;
  try {
    return differingFields(object, target, plan.known).length > 0
      ? heldObject(plan, target)
      : object;
  } catch {
    // Its traps throw: only the object itself can be read.
    return heldObject(plan, target);
  }
}

function refuseHiding(plan: ShownPlan, proxy: object, index: number): void {
  const target = proxyTarget(proxy, plan.prototype);
  const at = { className: plan.className, index, object: proxy };
  if (target === undefined) {
    throw hiddenStateError(plan, proxy, index, [], "the object it stands for cannot be seen");
  }
  let differing: string[];
  try {
    differing = differingFields(proxy, target, plan.known);
  } catch (error) {
    throw unreadableError(at, "a trap of its Proxy", "comparing it with its target", error);
  }
  if (differing.length > 0) {
    throw hiddenStateError(plan, proxy, index, differing, "its traps hide or change them");
  }
}

/**
 * The fields the migration addresses (`known`) that the Proxy shows
 * otherwise than the target holds them: hidden from its keys or its own
 * properties, shown where the target has none, or read as another value.
 */
function differingFields(proxy: object, target: object, known: ReadonlySet<string>): string[] {
  const shown = new Set(Object.keys(proxy));
  const held = new Set(Object.keys(target));
  const differing: string[] = [];
  for (const key of known) {
    const has = held.has(key);
    const own = Object.hasOwn(target, key);
    if (has !== shown.has(key) || own !== Object.hasOwn(proxy, key)) differing.push(key);
    else if (own) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key)!;
      const value = (proxy as Record<string, unknown>)[key];
      if ("value" in descriptor && !Object.is(value, descriptor.value)) differing.push(key);
    }
  }
  return differing;
}

function hiddenStateError(
  plan: ShownPlan,
  proxy: object,
  index: number,
  fields: readonly string[],
  why: string,
): UnswappableObjectError {
  const named = fields.length === 0 ? "" : ` (${fields.map((f) => `\`${f}\``).join(", ")})`;
  return new UnswappableObjectError(
    `${plan.className} instance #${index} is a Proxy that does not show the migration the fields the object holds${named}: ${why}; migrated through it, they would be reset and a rollback could not put them back`,
    {
      className: plan.className,
      index,
      object: proxy,
      rule: "hidden-state",
      property: fields[0],
      fields,
    },
  );
}
