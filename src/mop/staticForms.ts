/**
 * How a class handle holds each of its current version's own statics
 * (formOf), and the accessors that forward the ones it does not hold
 * itself.
 */
import { INITIALISE_FIELDS } from "./createClass.js";
import { derivedFrom } from "./derivedFrom.js";
import { type HandleState, handleStates } from "./handleState.js";

/** Function keys every handle has of its own, never forwarded. */
export const SKIPPED_STATICS: ReadonlySet<PropertyKey> = new Set(["length", "name", "prototype"]);

/**
 * A static method (an own data property holding a function that is not
 * enumerable: a field's value is) rather than a field, accessor or
 * metamorph's hidden initialiser.
 */
export function isStaticMethod(key: PropertyKey, d: PropertyDescriptor): boolean {
  return key !== INITIALISE_FIELDS && typeof d.value === "function" && d.enumerable !== true;
}

/**
 * What the handle holds for the current version's static `d`. A static
 * method: itself, a data property as on the class. A decorator helper
 * reads its descriptor and defines it again with another `value`
 * (`__decorate(…)` from tsc, `__decorateClass(…)` from esbuild): over an
 * accessor that threw "Cannot both specify accessors and a value", and a
 * class with a decorated static method could not even start under
 * `metamorph dev`. A method changes only by an update, which defines it
 * again. Any other static: an accessor that reads and writes the current
 * version's own, whose value the program changes (and the version's own
 * code reads there: a registered class's inner binding); `reuse` is the
 * accessor the handle has for it, kept where it fits (a rollback gives back
 * the very accessors).
 */
export function formOf(
  state: HandleState,
  key: PropertyKey,
  d: PropertyDescriptor,
  reuse?: PropertyDescriptor,
): PropertyDescriptor {
  if (isStaticMethod(key, d))
    return { value: d.value, writable: d.writable === true, enumerable: false, configurable: true };
  const enumerable = d.enumerable ?? false;
  if (reuse !== undefined && "get" in reuse && reuse.enumerable === enumerable) return reuse;
  return {
    get: key === INITIALISE_FIELDS ? initialiserForwarder(state) : getter(state, key),
    set: setter(state, key),
    enumerable,
    configurable: true,
  };
}

type Statics = Record<PropertyKey, unknown>;

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
    const target = below === undefined || below.current === this ? this : ownStatics(below);
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
    if (above !== undefined && above.current !== p && Object.hasOwn(ownStatics(above), key))
      return ownStatics(above);
  }
  return state.current;
}

/**
 * Where a class's own statics are: its running version, or for a version
 * derived from the class the program wrote (registered without
 * `constructedOnlyThroughHandle`), that class, which its objects answer as
 * `constructor` (`this.constructor.count++` gives it its own there) and
 * whose untouched statics the derived version shares (sharedStatics.ts).
 */
function ownStatics(state: HandleState): Function {
  return state.implementationConstructor
    ? (derivedFrom(state.current) ?? state.current)
    : state.current;
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
