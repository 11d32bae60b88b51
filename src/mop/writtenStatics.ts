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
import { INITIALISE_FIELDS, METHOD_HOME } from "./createClass.js";
import { DERIVED_FROM } from "./derivedFrom.js";
import { registeredBase } from "./extendedClass.js";
import type { HandleState } from "./handleState.js";
import { sameDescriptor } from "./prototypeMembers.js";
import { isSharedStatic, shareStatic } from "./sharedStatics.js";
import { isStaticMethod, SKIPPED_STATICS } from "./staticForms.js";

type Undo = () => void;

/** Keys of a derived version that are metamorph's, never the class's statics. */
const OWN_KEYS: ReadonlySet<PropertyKey> = new Set([DERIVED_FROM, METHOD_HOME, INITIALISE_FIELDS]);

/** A static member: a method, or an accessor that is not the sharing of a datum. */
function isMember(key: PropertyKey, d: PropertyDescriptor): boolean {
  if (OWN_KEYS.has(key) || SKIPPED_STATICS.has(key)) return false;
  return isStaticMethod(key, d) || (!("value" in d) && !isSharedStatic(d));
}

/**
 * A datum the derived version holds of its own, not shared with the
 * written class: one the patch adds, renames or re-initialises (the others
 * it shares, sharedStatics.ts), or one the program defined on the handle
 * since the version before.
 */
function isOwnDatum(key: PropertyKey, d: PropertyDescriptor): boolean {
  if (OWN_KEYS.has(key) || SKIPPED_STATICS.has(key)) return false;
  return "value" in d && !isStaticMethod(key, d);
}

/** What `written` must take to hold `ctor`'s static members: each key's descriptor, undefined to delete it. */
function changesFor(
  ctor: Function,
  written: Function,
): Map<PropertyKey, PropertyDescriptor | undefined> {
  const changes = new Map<PropertyKey, PropertyDescriptor | undefined>();
  for (const key of Reflect.ownKeys(ctor)) {
    const d = Reflect.getOwnPropertyDescriptor(ctor, key)!;
    if (!isMember(key, d) && !isOwnDatum(key, d)) continue;
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
 * Refuses, before a derived version's static data is computed, static data
 * `keys` the patch adds, renames or re-initialises that the class `written`
 * could not take at the commit (frozen: an initialiser's assignment over
 * its read-only copy threw a TypeError instead).
 */
export function checkWrittenData(
  state: HandleState,
  written: Function,
  keys: Iterable<PropertyKey>,
): void {
  if (!state.implementationConstructor || written.prototype !== state.prototype) return;
  const datum = { value: undefined, writable: true, enumerable: true, configurable: true };
  refuseStuck(written, new Map([...keys].map((key) => [key, datum])));
}

/**
 * Gives the registered class the statics of `ctor`, the version just
 * installed, if it was derived from that class; returns the undo. Its
 * members go there as they are; its own data (a static the patch adds,
 * renames or re-initialises) goes there too and `ctor` shares it from then
 * on, as it shares the rest: one value through the class, the handle and
 * `obj.constructor`, which a static method reads through `this` however it
 * is called. A class that cannot take them (frozen, or a static defined
 * not configurable) refuses before it changes.
 */
export function followWrittenStatics(state: HandleState, ctor: Function): Undo {
  const written = registeredBase(state, ctor);
  if (written === null) return () => {};
  const changes = changesFor(ctor, written);
  const data = ownData(ctor);
  if (changes.size === 0 && data.size === 0) return () => {};
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
  for (const [key, d] of data) shareStatic(ctor, written, key, d.enumerable === true);
  return () => {
    const statics = written as unknown as Record<PropertyKey, unknown>;
    // Each datum back on `ctor` with the value it has now, as if it had held it throughout.
    for (const [key, d] of data) Object.defineProperty(ctor, key, { ...d, value: statics[key] });
    for (const [key, was] of saved) {
      if (was === undefined) Reflect.deleteProperty(written, key);
      else Reflect.defineProperty(written, key, putBack(was, data.get(key), statics[key]));
    }
    restoreOrder(written, order);
  };
}

/** `ctor`'s own data statics (isOwnDatum), with their descriptors. */
function ownData(ctor: Function): Map<PropertyKey, PropertyDescriptor> {
  const data = new Map<PropertyKey, PropertyDescriptor>();
  for (const key of Reflect.ownKeys(ctor)) {
    const d = Reflect.getOwnPropertyDescriptor(ctor, key)!;
    if (isOwnDatum(key, d)) data.set(key, d);
  }
  return data;
}

/**
 * What a static of the written class the update redefined takes back: its
 * descriptor before, but a datum the update re-initialised keeps the value
 * the program wrote since (`now` is not what the update put there), as a
 * rollback carries a value the program assigned (namespace/staticValues.ts).
 */
function putBack(
  was: PropertyDescriptor,
  put: PropertyDescriptor | undefined,
  now: unknown,
): PropertyDescriptor {
  if (put === undefined || !("value" in was) || Object.is(put.value, now)) return was;
  return { ...was, value: now };
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
