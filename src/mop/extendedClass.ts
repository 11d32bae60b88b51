/**
 * Which class a subclass the program wrote is linked to after a patch of
 * its superclass (classHandle.ts followSuperclass), apart from
 * writtenStatics.ts: this is read at every class registration, and a page
 * under the Vite plugin loads it before any edit, without the update's code
 * and messages.
 */
import { builderOf, derivedFrom } from "./derivedFrom.js";
import type { HandleState } from "./handleState.js";

/** The registered class `ctor` was derived from, or null (not derived, a release's class, a handle-built class). */
export function registeredBase(state: HandleState, ctor: Function): Function | null {
  if (!state.implementationConstructor) return null;
  let base = ctor;
  for (let from = derivedFrom(base); from !== undefined; from = derivedFrom(base)) base = from;
  // The class registered is the one whose prototype is the stable one.
  return base !== ctor && base.prototype === state.prototype ? base : null;
}

/**
 * What a class the program wrote extending this one (`class Sub extends
 * Item`) is linked to (classHandle.ts followSuperclass): the class the
 * program wrote where the running version is derived from it, builds as it
 * (a patch changing no field of the class's own) and gives it its statics
 * (followWrittenStatics), so `Object.getPrototypeOf(Sub) === Item` still
 * holds, as libraries walking class chains for inherited static metadata
 * expect, and `super.create()` and inherited statics are the new ones.
 * Else the running version: one that changes the fields must run in the
 * subclass's `super()`.
 */
export function extendedClass(state: HandleState): Function {
  const base = builderOf(state.current);
  return base !== state.current && registeredBase(state, state.current) === base
    ? base
    : state.current;
}
