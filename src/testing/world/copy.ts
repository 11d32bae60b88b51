/**
 * Copying generated values into a world. A spec is built more than once —
 * once per policy, again for every replay and shrink — and a migrator that
 * changes a value in place (`old.tags.set(…)`) would otherwise change the
 * spec itself: the next world would start from the changed value, and a
 * counterexample would no longer replay from its seed and path. So data is
 * copied whole: plain objects and arrays, Maps and Sets (keys and values),
 * Dates, RegExps, buffers and their views, boxed primitives — with their
 * own properties, attributes and extensibility. One `seen` map serves a
 * whole world, so an object that appears twice in a spec is one object,
 * shared, in the world.
 *
 * Shared, not copied: functions, instances of classes (a copy could not
 * carry private `#fields`, nor what the constructor registered elsewhere),
 * objects whose state cannot be read (WeakMap, Promise…), revoked proxies.
 */
import { isRevokedProxy } from "../../valueKinds.js";
import type { BuiltinState } from "../builtins.js";
import { builtinPrototypeName, builtinState } from "../builtins.js";

type Seen = Map<object, unknown>;

/** Whether `o` is data the copy can rebuild: its prototype is Object's, an array's, a built-in's or none. */
function isData(o: object): boolean {
  const proto: unknown = Object.getPrototypeOf(o);
  if (proto === null || proto === Object.prototype) return true;
  return Array.isArray(o)
    ? proto === Array.prototype
    : builtinPrototypeName(proto as object) !== undefined;
}

function copyBytes(bytes: Uint8Array | undefined, shared: boolean): object {
  const n = bytes?.length ?? 0;
  const out = shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n);
  if (bytes !== undefined) new Uint8Array(out).set(bytes);
  return out;
}

/** A fresh built-in holding a copy of `state` (entries, time, bytes…), or undefined for one that cannot be rebuilt. */
function rebuild(state: BuiltinState, seen: Seen, o: object): object | undefined {
  switch (state.kind) {
    case "Map": {
      const out = new Map<unknown, unknown>();
      seen.set(o, out);
      for (const [k, v] of state.entries) out.set(copyValue(k, seen), copyValue(v, seen));
      return out;
    }
    case "Set": {
      const out = new Set<unknown>();
      seen.set(o, out);
      for (const v of state.values) out.add(copyValue(v, seen));
      return out;
    }
    case "Date":
      return new Date(state.time);
    case "RegExp":
      return new RegExp(state.source, state.flags);
    case "ArrayBuffer":
    case "SharedArrayBuffer":
      return copyBytes(state.bytes, state.kind === "SharedArrayBuffer");
    case "TypedArray":
    case "DataView": {
      const View = (globalThis as Record<string, unknown>)[state.type] as new (
        buffer: unknown,
        offset: number,
        length: number,
      ) => object;
      return new View(copyValue(state.buffer, seen), state.offset, state.length);
    }
    case "Box":
      return Object(state.value) as object;
  }
}

/** The empty shell of a copy of `o`, before its own properties: undefined when `o` is not copied. */
function shell(o: object, seen: Seen): object | undefined {
  if (Array.isArray(o)) return new Array<unknown>(o.length);
  const state = builtinState(o);
  if (state !== undefined) return rebuild(state, seen, o);
  const proto: unknown = Object.getPrototypeOf(o);
  // Another built-in (a WeakMap, a Promise, an Error…): what it holds cannot be read, nor copied.
  if (proto !== null && proto !== Object.prototype) return undefined;
  return Object.create(proto) as object;
}

/** Copies `o`'s own properties onto `out`, with their attributes; the values copied in turn. */
function copyOwnProperties(o: object, out: object, seen: Seen): void {
  for (const key of Reflect.ownKeys(o)) {
    const d = Reflect.getOwnPropertyDescriptor(o, key)!;
    const existing = Reflect.getOwnPropertyDescriptor(out, key);
    // Set by the shell already (an array's length, a typed array's elements, a String box's characters).
    if (existing !== undefined && !existing.configurable) {
      if ("value" in d) {
        Reflect.defineProperty(out, key, { value: copyValue(d.value, seen), writable: d.writable });
      }
      continue;
    }
    if ("value" in d) d.value = copyValue(d.value, seen);
    Reflect.defineProperty(out, key, d);
  }
  if (!Object.isExtensible(o)) Object.preventExtensions(out);
}

/**
 * A copy of `value` for a world: data copied whole, cycles and sharing kept
 * through `seen` (give one map for everything one world holds), anything
 * else (see above) the same object.
 */
export function copyValue(value: unknown, seen: Seen = new Map()): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  if (isRevokedProxy(value) || !isData(value)) return value;
  const out = shell(value, seen);
  if (out === undefined) return value;
  seen.set(value, out);
  copyOwnProperties(value, out, seen);
  return out;
}
