/**
 * Reading an object's own fields before it is migrated. The object is the
 * program's: an own getter or a Proxy trap may throw while it is read. That
 * is not the migrator's failure and must not escape as the program's own
 * error: the object's state cannot be captured, so it can be neither
 * migrated nor restored, and the update is refused naming the object and the
 * property, before anything changed.
 */
import type { ObjectState } from "../mop/rewriting/stateTable.js";
import { captureState } from "../mop/rewriting/stateTable.js";
import { unreadableError } from "../mop/unreadableObjects.js";
import { elementsOf } from "./arrayElements.js";

const CAPTURING = "capturing its state";

/** `Object.keys(object)`, refused with a typed error if a Proxy trap throws. */
export function ownKeysOf(object: object, className: string, index: number): string[] {
  try {
    return Object.keys(object);
  } catch (error) {
    throw unreadableError(
      { className, index, object },
      "listing its own properties",
      CAPTURING,
      error,
    );
  }
}

/** The values of `keys` (own fields), refused with a typed error naming the property whose getter throws. */
export function valuesOf(
  object: object,
  keys: readonly string[],
  className: string,
  index: number,
): unknown[] {
  const record = object as Record<string, unknown>;
  const values: unknown[] = new Array(keys.length);
  let i = 0;
  try {
    for (; i < keys.length; i++) values[i] = record[keys[i]!];
  } catch (error) {
    const what = `reading its property "${keys[i]}"`;
    throw unreadableError({ className, index, object }, what, CAPTURING, error);
  }
  return values;
}

/**
 * Whether `object`'s own state is still `keys` with `values` (or, for an
 * object carrying unmanaged state, still `before`). False where reading it
 * throws: preparing it again then refuses it with the typed error.
 */
export function stillHolds(
  object: object,
  keys: readonly string[],
  values: readonly unknown[],
  before: ObjectState | null,
): boolean {
  try {
    return before ? sameState(captureState(object), before) : sameFields(object, keys, values);
  } catch {
    return false;
  }
}

function sameFields(object: object, keys: readonly string[], values: readonly unknown[]): boolean {
  // An array's elements are not among its fields (arrayElements.ts).
  const all = Object.keys(object);
  const now = all.slice(elementsOf(object, all));
  let i = 0;
  while (i < keys.length && now[i] === keys[i] && Object.is(values[i], (object as never)[keys[i]!]))
    i++;
  return i === keys.length && now.length === i;
}

export function sameState(a: ObjectState, b: ObjectState): boolean {
  if (
    a.prototype !== b.prototype ||
    a.keys.length !== b.keys.length ||
    a.elementCount !== b.elementCount ||
    a.arrayLength !== b.arrayLength
  )
    return false;
  for (let i = 0; i < a.keys.length; i++) {
    if (a.keys[i] !== b.keys[i] || !sameDescriptor(a.descriptors[i], b.descriptors[i]!))
      return false;
  }
  return true;
}

export const sameDescriptor = (a: PropertyDescriptor | undefined, b: PropertyDescriptor): boolean =>
  a !== undefined &&
  Object.is(a.value, b.value) &&
  a.get === b.get &&
  a.set === b.set &&
  a.writable === b.writable &&
  a.enumerable === b.enumerable &&
  a.configurable === b.configurable;
