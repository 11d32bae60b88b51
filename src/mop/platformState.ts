/**
 * Property names under which a native superclass (`Map`, `Array`,
 * `Uint8Array`, `Error`, `HTMLElement`…) answers for an object's state
 * itself: an accessor of its prototype (`Map.prototype.size`,
 * `%TypedArray%.prototype.length`), an own property its constructor gives
 * every object (an array's `length`, an error's `stack`), or an element
 * (an array's or a string's index, a typed array's numeric key). A field of
 * that name is not the class's: adding `length` to a Uint8Array subclass
 * committed an own property that hid the bytes' length, renaming a field to
 * "0" wrote into byte 0, and `size` on a Map subclass failed inside the
 * commit. The JavaScript platform classes (EventEmitter's `_events`) are
 * platformClasses.ts's.
 */
import { isNativeClass } from "./classHandle.js";

/** What owns a name: the native class, and what the name is to it. */
export interface NativeState {
  readonly superclass: string;
  readonly what: string;
}

/** Native classes whose constructor is known to build an object without effects (so its own keys can be learnt). */
const BUILDABLE = new Set<unknown>(
  [
    "Array",
    "String",
    "Error",
    "RegExp",
    "Map",
    "Set",
    "WeakMap",
    "WeakSet",
    "Date",
    "ArrayBuffer",
    "Uint8Array",
  ].map((name) => (globalThis as Record<string, unknown>)[name]),
);

const TYPED_ARRAY = Object.getPrototypeOf(Uint8Array) as Function;
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

const learnt = new WeakMap<Function, ReadonlySet<string>>();

/** The own string keys a fresh object of `ctor` carries (none when it cannot be built safely). */
function ownKeysOfFresh(ctor: Function): ReadonlySet<string> {
  let keys = learnt.get(ctor);
  if (keys !== undefined) return keys;
  keys = new Set();
  if (BUILDABLE.has(ctor) || Object.getPrototypeOf(ctor) === TYPED_ARRAY) {
    try {
      keys = new Set(Object.getOwnPropertyNames(Reflect.construct(ctor, [])));
    } catch {
      // Not buildable without arguments here: its accessors and elements still count.
    }
  }
  learnt.set(ctor, keys);
  return keys;
}

/** Whether `ctor`'s objects keep elements under `name`, and how they are called. */
function elementKind(ctor: Function, name: string): string | undefined {
  if (ctor === Array || ctor === String) {
    return ARRAY_INDEX.test(name) && Number(name) < 2 ** 32 - 1 ? "an element index" : undefined;
  }
  // A typed array answers every canonical numeric key ("0", "-1", "1.5", "NaN") itself.
  if (ctor === TYPED_ARRAY && (name === "-0" || String(Number(name)) === name))
    return "a numeric key (its elements)";
  return undefined;
}

/**
 * The native class in `prototype`'s chain that answers for `name` on its
 * objects, if any (Object.prototype's and Function.prototype's own names are
 * refused elsewhere, or are every object's).
 */
export function nativeStateOwner(prototype: object | null, name: string): NativeState | undefined {
  // Named by the nearest native class (Uint8Array, not the %TypedArray% above it).
  let superclass: string | undefined;
  for (let p = prototype; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    if (p === Object.prototype || p === Function.prototype) break;
    const ctor = Object.getOwnPropertyDescriptor(p, "constructor")?.value as unknown;
    if (typeof ctor !== "function" || !isNativeClass(ctor)) continue;
    const here = ctor === TYPED_ARRAY ? "TypedArray" : ctor.name;
    superclass ??= here;
    const own = Object.getOwnPropertyDescriptor(p, name);
    if (own !== undefined && (own.get !== undefined || own.set !== undefined))
      return { superclass, what: `an accessor of ${here}.prototype` };
    if (ownKeysOfFresh(ctor).has(name))
      return { superclass, what: `an own property every ${here} object is built with` };
    const element = elementKind(ctor, name);
    if (element !== undefined) return { superclass, what: element };
  }
  return undefined;
}
