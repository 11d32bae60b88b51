/**
 * What the program defines over a class handle's statics — a decorator
 * helper's `Object.defineProperty(Handle, "make", { ...desc, value })`, a
 * spy, `Object.defineProperty(Handle, "x", { value: 1 })`, a static field
 * decorator's accessor, `Object.freeze(Handle)` — is the handle's own
 * property, which the program reads and calls natively (nothing on a static
 * read or call checks for it). What an update does with it follows what it
 * does with an assignment `Handle.make = f`, which the forwarders write to
 * the running version: kept where the update keeps that static (a patch
 * deriving the new version from the running one, a static the patch keeps),
 * replaced where the new release brings its own, and back with the old
 * version after a rollback.
 */
import { toFastProperties } from "./fastProperties.js";
import type { HandleState } from "./handleState.js";
import { formOf, isStaticMethod } from "./staticForms.js";
import { settleStaticsWith } from "./staticForwarders.js";

/**
 * Whether the handle's own property `own` is still the `form` metamorph
 * gave it: the same accessor pair, or the same value with the same
 * attributes. Not whether it is configurable: a frozen handle's accessors
 * still forward.
 */
export function sameForm(own: PropertyDescriptor, form: PropertyDescriptor): boolean {
  if (own.enumerable !== form.enumerable) return false;
  if ("get" in form) return own.get === form.get && own.set === form.set;
  return "value" in own && Object.is(own.value, form.value) && own.writable === form.writable;
}

/**
 * Puts on the running version what the program wrote over the handle's
 * statics since metamorph defined them: a data descriptor is defined on
 * the version (where an assignment through a forwarder puts the value) and
 * the handle holds that static again as it holds any; a static the program
 * deleted goes from the version too. Run before anything reads the running
 * version's statics (currentVersion) or an update changes them, which then
 * carry, keep or replace each as they do what the program assigned. An
 * accessor the program defined stays the handle's own — its getter runs
 * with the handle as `this`, as on a plain class (see keepsProgramStatic) —
 * and so does what cannot move (not configurable). Returns `state`.
 */
export function settleProgramStatics(state: HandleState): HandleState {
  const { handle, current } = state;
  let reshaped = false;
  for (const [key, form] of state.statics) {
    const own = Reflect.getOwnPropertyDescriptor(handle, key);
    if (own !== undefined && sameForm(own, form)) continue;
    if (own === undefined) {
      if (Reflect.deleteProperty(current, key)) state.statics.delete(key);
      continue;
    }
    if (!("value" in own) || own.configurable !== true) continue;
    const was = Reflect.getOwnPropertyDescriptor(current, key);
    if (!Reflect.defineProperty(current, key, written(own, form, was))) continue;
    const next = formOf(state, key, Reflect.getOwnPropertyDescriptor(current, key)!, form);
    Object.defineProperty(handle, key, next);
    state.statics.set(key, next);
    reshaped = true;
  }
  // Another kind of property, the handle may have gone to dictionary mode (see fastProperties.ts).
  if (reshaped) toFastProperties(handle);
  return state;
}

/**
 * At the undo of an update (`state.current` the old version again, the
 * handle still the new one's): a value the program defined since over one
 * of the new version's fields goes to the old version's, as a value it
 * assigned does (namespace/staticValues.ts carries those): a rollback gives
 * back what the program wrote either way. Not a method: the old version's
 * comes back as it was.
 */
export function carryDefinedFields(state: HandleState): void {
  for (const [key, form] of state.statics) {
    if (!("get" in form)) continue;
    const own = Reflect.getOwnPropertyDescriptor(state.handle, key);
    if (own === undefined || !("value" in own)) continue;
    const was = Reflect.getOwnPropertyDescriptor(state.current, key);
    if (was !== undefined && "value" in was && !isStaticMethod(key, was))
      Reflect.defineProperty(state.current, key, { value: own.value });
  }
}

/**
 * The descriptor the running version takes for the data property `own`
 * the program defined over the handle's `form`. Over a field's accessor,
 * the attributes a data descriptor leaves out default to false
 * (`Object.defineProperty(Handle, "x", { value: 1 })` made `x` read-only
 * there), where over the class's own field they stay the field's: only the
 * value, as on the class.
 */
function written(
  own: PropertyDescriptor,
  form: PropertyDescriptor,
  was: PropertyDescriptor | undefined,
): PropertyDescriptor {
  if ("get" in form && was !== undefined && "value" in was) return { value: own.value };
  return {
    value: own.value,
    writable: own.writable,
    enumerable: own.enumerable,
    configurable: true,
  };
}

/**
 * Whether the program's own property over the handle's static `key` (an
 * accessor, or one it made not configurable) stays at an update that
 * installs `next` over `previous`: while the update leaves that static as
 * it was — the same method, the same accessor pair, still a field. A new
 * release's own method or accessor replaces it, as it replaces what the
 * program assigned (under `metamorph dev`, the decorator calls run again
 * over it); a field keeps what the program made of it (a static field
 * decorator's accessor, whose calls dev does not run again).
 */
export function keepsProgramStatic(
  previous: Function,
  key: PropertyKey,
  next: PropertyDescriptor,
): boolean {
  const was = Reflect.getOwnPropertyDescriptor(previous, key);
  if (was === undefined) return false;
  if (!("value" in was)) return was.get === next.get && was.set === next.set;
  if (!("value" in next)) return false;
  if (isStaticMethod(key, was)) return Object.is(was.value, next.value);
  return !isStaticMethod(key, next);
}

// What currentVersion runs first (staticForwarders.ts settleStatics).
settleStaticsWith(settleProgramStatics);
