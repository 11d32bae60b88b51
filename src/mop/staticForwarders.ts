/**
 * A class handle's statics: accessors that read and write the current
 * version's own statics, defined again when a version brings other keys
 * (and put back as they were by an undo, classVersions.ts).
 *
 * A subclass handle inherits them (its [[Prototype]] is the superclass's
 * handle), so they are asked with the subclass as receiver: `User.table =
 * "users"` must give User's class its own static, as plain JavaScript does,
 * not overwrite Model's (review advZ13); and `User.count` must read what
 * User's class has of its own since (`this.constructor.count++`).
 */
import { INITIALISE_FIELDS } from "./createClass.js";
import { toFastProperties } from "./fastProperties.js";
import { type HandleState, handleStates } from "./handleState.js";

/** Function keys every handle has of its own, never forwarded. */
export const SKIPPED_STATICS: ReadonlySet<PropertyKey> = new Set(["length", "name", "prototype"]);

export function defineStaticForwarders(state: HandleState): void {
  forwardStatics(state);
  followLength(state);
}

function forwardStatics(state: HandleState): void {
  const { handle } = state;
  // Forwarders read the current version at each access: when it has the
  // statics the handle forwards already (a version with new methods, say),
  // they stay as they are.
  if (forwardsAlready(state)) return;
  const deleted = state.staticKeys.length > 0;
  for (const key of state.staticKeys) Reflect.deleteProperty(handle, key);
  const keys: PropertyKey[] = [];
  for (const key of Reflect.ownKeys(state.current)) {
    if (SKIPPED_STATICS.has(key)) continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(state.current, key)!;
    Object.defineProperty(handle, key, {
      configurable: true,
      enumerable: descriptor.enumerable ?? false,
      get: key === INITIALISE_FIELDS ? initialiserForwarder(state) : getter(state, key),
      set: setter(state, key),
    });
    keys.push(key);
  }
  state.staticKeys = keys;
  if (deleted) toFastProperties(handle);
}

type Statics = Record<PropertyKey, unknown>;

/**
 * The handle's `length` is the current version's, as a plain class's is its
 * constructor's parameter count: the forwarder's own is always 1 (`init`),
 * and DI containers read it (tsyringe builds a class without type metadata
 * only when `length === 0`: every such class failed to resolve under
 * `metamorph dev`, review advZ20). Defined only when it differs.
 */
function followLength(state: HandleState): void {
  const length = Reflect.getOwnPropertyDescriptor(state.current, "length")?.value;
  if (typeof length !== "number" || state.handle.length === length) return;
  Object.defineProperty(state.handle, "length", { value: length, configurable: true });
  // Redefined, the handle went to dictionary mode: `instanceof` 10 ns, not 3.
  toFastProperties(state.handle);
}

function getter(state: HandleState, key: PropertyKey): (this: unknown) => unknown {
  const { handle } = state;
  return function (this: unknown) {
    if (this === handle) return (state.current as unknown as Statics)[key];
    return Reflect.get(holderOf(state, key, this), key, this);
  };
}

function setter(state: HandleState, key: PropertyKey): (this: unknown, value: unknown) => void {
  const { handle } = state;
  return function (this: unknown, value: unknown) {
    if (this === handle) {
      (state.current as unknown as Statics)[key] = value;
      return;
    }
    // Plain JavaScript's assignment through an inherited static: an own
    // property of the receiver (of its class, for a subclass handle), or
    // the inherited setter called on it.
    const below = typeof this === "function" ? handleStates.get(this) : undefined;
    const target = below === undefined || below.current === this ? this : below.current;
    Reflect.set(holderOf(state, key, this), key, value, target as object);
  };
}

/**
 * Where `receiver` (a subclass handle, or a class extending one) finds
 * `key` on its way up to `state`'s handle: the first handle's current
 * class that has it of its own — a subclass handle forwards only the keys
 * its class had when the forwarders were defined, and a class may gain
 * statics since — else this handle's current class.
 */
function holderOf(state: HandleState, key: PropertyKey, receiver: unknown): object {
  let p = (typeof receiver === "function" ? receiver : null) as object | null;
  for (; p !== null && p !== state.handle; p = Reflect.getPrototypeOf(p)) {
    const above = handleStates.get(p as Function);
    if (above !== undefined && above.current !== p && Object.hasOwn(above.current, key))
      return above.current;
  }
  return state.current;
}

/**
 * What a created subclass's field initialiser calls first (its `super`):
 * the handle state's initialiser, a constant of the code that inlines it
 * (handleState.ts withInitialise). Read from `current`, which every update
 * changes, it stopped being inlined after the superclass's first update,
 * and each `new` of a subclass cost 3–5× a plain one for good (review advY3).
 */
function initialiserForwarder(state: HandleState): () => unknown {
  return () =>
    state.initialise ??
    (state.current as unknown as Record<PropertyKey, unknown>)[INITIALISE_FIELDS];
}

/** Whether the handle's forwarders are exactly those `state.current`'s own statics need (same keys, order and enumerability). */
function forwardsAlready(state: HandleState): boolean {
  const keys = state.staticKeys;
  let i = 0;
  for (const key of Reflect.ownKeys(state.current)) {
    if (SKIPPED_STATICS.has(key)) continue;
    if (keys[i] !== key) return false;
    const enumerable = Reflect.getOwnPropertyDescriptor(state.current, key)!.enumerable ?? false;
    if (Reflect.getOwnPropertyDescriptor(state.handle, key)?.enumerable !== enumerable)
      return false;
    i++;
  }
  return i === keys.length;
}
