/**
 * The static methods and accessors of a version metamorph derived for a
 * patch, on the class the program wrote and registered (without
 * `constructedOnlyThroughHandle`). Its objects answer that class as
 * `constructor` (classVersions.ts objectConstructor) and its own code names
 * it by its inner binding, so a static method the patch replaced or added
 * only on the handle left `this.constructor.create()` and `Item.create()`
 * calling the old one, and a removed one still answered there. The class
 * takes the derived version's own (the same functions: called as
 * `Item.create()`, `this` is the class, whose static data the derived
 * version shares, sharedStatics.ts), and the undo gives back its own
 * properties exactly. A release's class handed in is never written to.
 */
import { UnswappableObjectError } from "../errors.js";
import { DERIVED_FROM, derivedFrom } from "./derivedFrom.js";
import type { HandleState } from "./handleState.js";
import { sameDescriptor } from "./prototypeMembers.js";
import { isSharedStatic } from "./sharedStatics.js";
import { isStaticMethod, SKIPPED_STATICS } from "./staticForms.js";

type Undo = () => void;

/** A static member: a method, or an accessor that is not the sharing of a datum. */
function isMember(key: PropertyKey, d: PropertyDescriptor): boolean {
  if (key === DERIVED_FROM || SKIPPED_STATICS.has(key)) return false;
  return isStaticMethod(key, d) || (!("value" in d) && !isSharedStatic(d));
}

/** The registered class `ctor` was derived from, or null (not derived, a release's class, a handle-built class). */
function registeredBase(state: HandleState, ctor: Function): Function | null {
  if (!state.implementationConstructor) return null;
  let base = ctor;
  for (let from = derivedFrom(base); from !== undefined; from = derivedFrom(base)) base = from;
  // The class registered is the one whose prototype is the stable one.
  return base !== ctor && base.prototype === state.prototype ? base : null;
}

/** What `written` must take to hold `ctor`'s static members: each key's descriptor, undefined to delete it. */
function changesFor(
  ctor: Function,
  written: Function,
): Map<PropertyKey, PropertyDescriptor | undefined> {
  const changes = new Map<PropertyKey, PropertyDescriptor | undefined>();
  for (const key of Reflect.ownKeys(ctor)) {
    const d = Reflect.getOwnPropertyDescriptor(ctor, key)!;
    if (!isMember(key, d)) continue;
    const was = Reflect.getOwnPropertyDescriptor(written, key);
    if (was === undefined || !sameDescriptor(was, d)) changes.set(key, d);
  }
  for (const key of Reflect.ownKeys(written)) {
    const d = Reflect.getOwnPropertyDescriptor(written, key)!;
    if (isMember(key, d) && !Object.hasOwn(ctor, key)) changes.set(key, undefined);
  }
  return changes;
}

/**
 * Refuses, when the patch is built (before anything changes), a derived
 * version `ctor` whose static members the class `written` it derives from
 * could not take at the commit (followWrittenStatics checks again there).
 */
export function checkWrittenStatics(state: HandleState, ctor: Function, written: Function): void {
  if (state.implementationConstructor && written.prototype === state.prototype)
    refuseStuck(written, changesFor(ctor, written));
}

/**
 * Gives the registered class the static members of `ctor`, the version just
 * installed, if it was derived from that class; returns the undo. A class
 * that cannot take them (frozen, or a static defined not configurable)
 * refuses before it changes.
 */
export function followWrittenStatics(state: HandleState, ctor: Function): Undo {
  const written = registeredBase(state, ctor);
  if (written === null) return () => {};
  const changes = changesFor(ctor, written);
  if (changes.size === 0) return () => {};
  refuseStuck(written, changes);
  const order = Reflect.ownKeys(written);
  const saved = [...changes.keys()].map(
    (key) => [key, Reflect.getOwnPropertyDescriptor(written, key)] as const,
  );
  for (const [key, d] of changes) {
    const own = Reflect.getOwnPropertyDescriptor(written, key);
    if (d === undefined) Reflect.deleteProperty(written, key);
    else Object.defineProperty(written, key, own?.configurable === false ? { value: d.value } : d);
  }
  return () => {
    for (const [key, was] of saved) {
      if (was === undefined) Reflect.deleteProperty(written, key);
      else Reflect.defineProperty(written, key, was);
    }
    restoreOrder(written, order);
  };
}

/**
 * Puts the keys of `target` back in `order` (`Object.keys(Item)` lists
 * them as before the update): a key put back after its removal came last.
 * From the first key out of place, each is defined again as it is now.
 */
function restoreOrder(target: Function, order: readonly PropertyKey[]): void {
  const now = Reflect.ownKeys(target);
  const from = order.findIndex((key, i) => now[i] !== key);
  if (from < 0) return;
  for (const key of order.slice(from)) {
    const d = Reflect.getOwnPropertyDescriptor(target, key);
    if (d?.configurable !== true) continue;
    Reflect.deleteProperty(target, key);
    Reflect.defineProperty(target, key, d);
  }
}

function refuseStuck(
  written: Function,
  changes: ReadonlyMap<PropertyKey, PropertyDescriptor | undefined>,
): void {
  for (const [key, d] of changes) {
    const own = Reflect.getOwnPropertyDescriptor(written, key);
    if (own === undefined ? Object.isExtensible(written) : own.configurable === true) continue;
    // A writable data property takes another value (a sealed class's method).
    const valueOnly =
      own !== undefined &&
      d !== undefined &&
      own.writable === true &&
      "value" in d &&
      d.writable === true &&
      d.enumerable === own.enumerable;
    if (valueOnly) continue;
    const name = written.name;
    const property = typeof key === "symbol" ? key.toString() : String(key);
    const fixed =
      own === undefined || !Object.isExtensible(written)
        ? "it is frozen, sealed or not extensible"
        : `its static ${property} is not configurable (defined with configurable: false)`;
    throw new UnswappableObjectError(
      `class ${name} cannot be updated in place: ${fixed}, and the patch ${d === undefined ? "removes" : "changes or adds"} its static ${property}, which its objects reach through obj.constructor and its own code through its name; the update is refused before the class changes. Keep that static as it is, do not freeze a class you update, or register it with constructedOnlyThroughHandle`,
      { className: name, object: name, property: key, rule: "non-configurable-static" },
    );
  }
}
