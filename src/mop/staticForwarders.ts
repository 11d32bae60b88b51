/**
 * A new class handle's statics: each of its first version's own, as the
 * handle holds it (staticForms.ts formOf). An update defines them again
 * for its version (staticUpdates.ts), and its undo puts them back as they
 * were (classVersions.ts).
 *
 * A subclass handle inherits them (its [[Prototype]] is the superclass's
 * handle), so they are asked with the subclass as receiver: `User.table =
 * "users"` must give User's class its own static, as plain JavaScript does,
 * not overwrite Model's (review advZ13); and `User.count` must read what
 * User's class has of its own since (`this.constructor.count++`).
 */
import { toFastProperties } from "./fastProperties.js";
import type { HandleState } from "./handleState.js";
import { formOf, SKIPPED_STATICS } from "./staticForms.js";

export { SKIPPED_STATICS } from "./staticForms.js";

/** Defines a new handle's statics for its first version. */
export function defineStaticForwarders(state: HandleState): void {
  const { handle, current } = state;
  for (const key of Reflect.ownKeys(current)) {
    if (SKIPPED_STATICS.has(key)) continue;
    const form = formOf(state, key, Reflect.getOwnPropertyDescriptor(current, key)!);
    Object.defineProperty(handle, key, form);
    state.statics.set(key, form);
  }
  followLength(state);
}

let settle = (state: HandleState): HandleState => state;

/**
 * What currentVersion runs first: the program's writes over the handle's
 * statics onto the running version (staticWrites.ts). Set as the code
 * that updates versions loads (classVersions.ts imports it): nothing reads
 * a version's statics for an update before, and the Vite page, which
 * loads that code with the update engine at the first edit, does not
 * carry it from the start. Returns `state`.
 */
export function settleStatics(state: HandleState): HandleState {
  return settle(state);
}

/** Sets what settleStatics does (staticWrites.ts, as it loads). */
export function settleStaticsWith(settleWith: (state: HandleState) => HandleState): void {
  settle = settleWith;
}

/**
 * The handle's `length` is the current version's, as a plain class's is its
 * constructor's parameter count: the forwarder's own is always 1 (`init`),
 * and DI containers read it (tsyringe builds a class without type metadata
 * only when `length === 0`: every such class failed to resolve under
 * `metamorph dev`, review advZ20). Defined only when it differs.
 */
export function followLength(state: HandleState): void {
  const length = Reflect.getOwnPropertyDescriptor(state.current, "length")?.value;
  if (typeof length !== "number" || state.handle.length === length) return;
  Object.defineProperty(state.handle, "length", { value: length, configurable: true });
  // Redefined, the handle went to dictionary mode: `instanceof` 10 ns, not 3.
  toFastProperties(state.handle);
}
