/**
 * What a built-in object holds beyond its own properties — a Map's entries,
 * a Set's values, a Date's time, a buffer's bytes, a view's buffer, a boxed
 * primitive's value, a RegExp's pattern — read for snapshots (which compare
 * it) and for building worlds (which copy it).
 *
 * Each kind is recognised by calling the built-in's own method or getter on
 * the object (it throws on anything else): no `instanceof` (another realm's
 * Map is a Map), no Proxy trap and no user getter runs.
 */
import { BINARY_DATA_CLASS_NAMES } from "../mop/binaryData.js";

export type BuiltinState =
  | { readonly kind: "Map"; readonly entries: readonly (readonly [unknown, unknown])[] }
  | { readonly kind: "Set"; readonly values: readonly unknown[] }
  | { readonly kind: "Date"; readonly time: number }
  | { readonly kind: "RegExp"; readonly source: string; readonly flags: string }
  | {
      readonly kind: "ArrayBuffer" | "SharedArrayBuffer";
      /** A view of the bytes (not a copy); undefined once the buffer is detached. */
      readonly bytes: Uint8Array | undefined;
    }
  | {
      readonly kind: "TypedArray" | "DataView";
      /** The constructor's name: `Uint8Array`, `DataView`. */
      readonly type: string;
      readonly buffer: object;
      readonly offset: number;
      /** Elements for a typed array, bytes for a DataView. */
      readonly length: number;
    }
  | { readonly kind: "Box"; readonly type: string; readonly value: unknown };

type Method = (this: unknown, ...args: never[]) => unknown;

function getterOf(proto: object, key: PropertyKey): Method {
  return Object.getOwnPropertyDescriptor(proto, key)!.get as Method;
}

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;

const builtins = {
  mapForEach: Map.prototype.forEach as Method,
  setForEach: Set.prototype.forEach as Method,
  dateTime: Date.prototype.getTime as Method,
  regExpSource: getterOf(RegExp.prototype, "source"),
  regExpFlags: getterOf(RegExp.prototype, "flags"),
  bufferLength: getterOf(ArrayBuffer.prototype, "byteLength"),
  sharedLength:
    typeof SharedArrayBuffer === "function"
      ? getterOf(SharedArrayBuffer.prototype, "byteLength")
      : undefined,
  // Returns the type's name for a typed array and undefined for anything else, without throwing.
  typedType: getterOf(TypedArrayPrototype, Symbol.toStringTag),
  typedBuffer: getterOf(TypedArrayPrototype, "buffer"),
  typedOffset: getterOf(TypedArrayPrototype, "byteOffset"),
  typedLength: getterOf(TypedArrayPrototype, "length"),
  viewBuffer: getterOf(DataView.prototype, "buffer"),
  viewOffset: getterOf(DataView.prototype, "byteOffset"),
  viewLength: getterOf(DataView.prototype, "byteLength"),
};

/** The boxes of primitives, by the `valueOf` that unwraps only its own kind. */
const BOXES: readonly (readonly [string, Method])[] = [
  ["Number", Number.prototype.valueOf as Method],
  ["String", String.prototype.valueOf as Method],
  ["Boolean", Boolean.prototype.valueOf as Method],
  ["BigInt", BigInt.prototype.valueOf as Method],
  ["Symbol", Symbol.prototype.valueOf as Method],
];

const failed: unique symbol = Symbol("not of this kind");

/** `fn` called on `o`: its result, or `failed` when `o` is not of fn's kind. */
function call(fn: Method | undefined, o: object, args: unknown[] = []): unknown {
  if (fn === undefined) return failed;
  try {
    return Reflect.apply(fn, o, args);
  } catch {
    return failed;
  }
}

const BUILTIN_NAMES = [
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "WeakRef",
  "Date",
  "RegExp",
  "Promise",
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "EvalError",
  "URIError",
  "AggregateError",
  ...BINARY_DATA_CLASS_NAMES,
  "Number",
  "String",
  "Boolean",
  "BigInt",
  "Symbol",
  "Function",
];

/** The prototypes of the built-in classes, by name: a Map's prototype is written `Map`. */
const builtinPrototypes: ReadonlyMap<unknown, string> = new Map(
  BUILTIN_NAMES.flatMap((name) => {
    const ctor = (globalThis as Record<string, unknown>)[name];
    return typeof ctor === "function"
      ? [[(ctor as { prototype: unknown }).prototype, name] as const]
      : [];
  }),
);

/** `Map` for Map.prototype and the other built-ins' prototypes, else undefined. */
export function builtinPrototypeName(proto: object): string | undefined {
  return builtinPrototypes.get(proto);
}

const plainChains = new WeakMap<object, boolean>();

/**
 * An object that holds nothing beyond its own properties — plain, an array,
 * an instance of a class that extends no built-in — as most objects are:
 * spared the failing calls (each a thrown TypeError).
 */
function holdsNothingElse(o: object): boolean {
  if (Array.isArray(o)) return true;
  const proto: unknown = Object.getPrototypeOf(o);
  if (proto === null || typeof proto !== "object") return true;
  let plain = plainChains.get(proto);
  if (plain === undefined) {
    plain = true;
    for (let p: object | null = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
      if (p !== Object.prototype && builtinPrototypes.has(p)) plain = false;
    }
    plainChains.set(proto, plain);
  }
  return plain;
}

function collectionState(o: object): BuiltinState | undefined {
  const entries: [unknown, unknown][] = [];
  if (call(builtins.mapForEach, o, [(v: unknown, k: unknown) => entries.push([k, v])]) !== failed)
    return { kind: "Map", entries };
  const values: unknown[] = [];
  if (call(builtins.setForEach, o, [(v: unknown) => values.push(v)]) !== failed)
    return { kind: "Set", values };
  return undefined;
}

function bytesOf(buffer: object): Uint8Array | undefined {
  try {
    return new Uint8Array(buffer as ArrayBuffer);
  } catch {
    return undefined; // detached
  }
}

function binaryState(o: object): BuiltinState | undefined {
  if (call(builtins.bufferLength, o) !== failed) return { kind: "ArrayBuffer", bytes: bytesOf(o) };
  if (call(builtins.sharedLength, o) !== failed)
    return { kind: "SharedArrayBuffer", bytes: bytesOf(o) };
  const type = call(builtins.typedType, o);
  if (typeof type === "string") {
    const [buffer, offset, length] = [
      builtins.typedBuffer,
      builtins.typedOffset,
      builtins.typedLength,
    ].map((g) => call(g, o));
    return {
      kind: "TypedArray",
      type,
      buffer: buffer as object,
      offset: offset as number,
      length: length as number,
    };
  }
  const buffer = call(builtins.viewBuffer, o);
  if (buffer === failed) return undefined;
  const [offset, length] = [builtins.viewOffset, builtins.viewLength].map((g) => call(g, o));
  return {
    kind: "DataView",
    type: "DataView",
    buffer: buffer as object,
    offset: offset as number,
    length: length as number,
  };
}

function scalarState(o: object): BuiltinState | undefined {
  const time = call(builtins.dateTime, o);
  if (time !== failed) return { kind: "Date", time: time as number };
  const source = call(builtins.regExpSource, o);
  if (source !== failed)
    return {
      kind: "RegExp",
      source: source as string,
      flags: call(builtins.regExpFlags, o) as string,
    };
  for (const [type, unbox] of BOXES) {
    const value = call(unbox, o);
    if (value !== failed) return { kind: "Box", type, value };
  }
  return undefined;
}

/** What `o` holds in a built-in's internal slots, or undefined when it is no built-in with such state. */
export function builtinState(o: object): BuiltinState | undefined {
  if (holdsNothingElse(o)) return undefined;
  return collectionState(o) ?? binaryState(o) ?? scalarState(o);
}

/** The objects inside a built-in's state (a Map's keys and values, a Set's values, a view's buffer). */
export function builtinChildren(state: BuiltinState | undefined): unknown[] {
  switch (state?.kind) {
    case "Map":
      return state.entries.flat();
    case "Set":
      return [...state.values];
    case "TypedArray":
    case "DataView":
      return [state.buffer];
    default:
      return [];
  }
}

/**
 * The name of the class whose prototype `proto` is (its own `constructor`
 * points back at it), or undefined for any other object: an instance of a
 * class the kit does not manage names its class by identity, while an
 * object made with `Object.create(other)` has `other` walked as data.
 */
export function classOfPrototype(proto: object): string | undefined {
  const d = Reflect.getOwnPropertyDescriptor(proto, "constructor");
  const ctor: unknown = d && "value" in d ? d.value : undefined;
  if (typeof ctor !== "function") return undefined;
  const p = Reflect.getOwnPropertyDescriptor(ctor, "prototype");
  if (!p || !("value" in p) || p.value !== proto) return undefined;
  const name = Reflect.getOwnPropertyDescriptor(ctor, "name");
  return name && "value" in name && typeof name.value === "string" && name.value !== ""
    ? name.value
    : "anonymous";
}
