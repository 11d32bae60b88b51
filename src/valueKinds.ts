/**
 * What a JavaScript caller (or one through `any`) passed, told without
 * throwing: an argument check that throws a raw TypeError is no check.
 * `typeof` runs no getter and no Proxy trap; `instanceof` and
 * `Array.isArray` look through a Proxy, and on a revoked one they throw
 * ("Cannot perform 'IsArray' on a proxy that has been revoked") — so each is
 * asked here, where a revoked Proxy is its own kind.
 * Beside errors.ts, below every layer: every entry point checks its
 * arguments with these.
 */

/**
 * A revoked Proxy: every operation on it but `typeof` throws. Asked with
 * `Array.isArray`, which throws on a revoked Proxy only and calls no trap on
 * a live one (it looks through to the target).
 */
export function isRevokedProxy(value: unknown): boolean {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  try {
    Array.isArray(value);
    return false;
  } catch {
    return true;
  }
}

/** `Array.isArray(value)`, false for a revoked Proxy. */
export function isArray(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * `value instanceof cls`, false for a revoked Proxy, and for a Proxy whose
 * `getPrototypeOf` trap throws (instanceof asks it): neither is a `cls`.
 */
export function isInstance<T>(
  value: unknown,
  cls: abstract new (...args: never[]) => T,
): value is T {
  try {
    return value instanceof cls;
  } catch {
    return false;
  }
}

/**
 * A value's kind as a refusal names it ("not null", "not an array", "not
 * number", "not a revoked Proxy"): `typeof`, with null, arrays and revoked
 * proxies told apart. The one description of a wrong kind for every layer.
 */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (isRevokedProxy(value)) return "a revoked Proxy";
  if (typeof value !== "object") return typeof value;
  return Array.isArray(value) ? "an array" : "object";
}

/** An object that is neither null, an array nor a revoked Proxy: what an options or spec argument must be. */
export function isObjectArgument(value: unknown): value is object {
  return kindOf(value) === "object";
}

const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, "size")!.get!;
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, "size")!.get!;

/** Whether the brand check of a `size` getter passes: it runs no code of the object, and no Proxy trap. */
function branded(size: () => number, value: object): boolean {
  try {
    size.call(value);
    return true;
  } catch {
    return false;
  }
}

/** A Map of any realm or subclass (it has a Map's internal slots), told without running its code. */
export function isMap(value: object): value is Map<unknown, unknown> {
  return branded(mapSize, value);
}

/** A Set of any realm or subclass, told as `isMap` tells a Map. */
export function isSet(value: object): value is Set<unknown> {
  return branded(setSize, value);
}
