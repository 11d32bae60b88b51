/**
 * A class handle's statics: accessors that read and write the current
 * version's own statics, defined again when a version brings other keys
 * (and put back as they were by an undo, classVersions.ts).
 */
import { INITIALISE_FIELDS } from "./createClass.js";
import { toFastProperties } from "./fastProperties.js";
import type { HandleState } from "./handleState.js";

/** Function keys every handle has of its own, never forwarded. */
export const SKIPPED_STATICS: ReadonlySet<PropertyKey> = new Set(["length", "name", "prototype"]);

export function defineStaticForwarders(state: HandleState): void {
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
      get:
        key === INITIALISE_FIELDS
          ? initialiserForwarder(state)
          : () => (state.current as unknown as Record<PropertyKey, unknown>)[key],
      set: (value: unknown) => {
        (state.current as unknown as Record<PropertyKey, unknown>)[key] = value;
      },
    });
    keys.push(key);
  }
  state.staticKeys = keys;
  if (deleted) toFastProperties(handle);
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
