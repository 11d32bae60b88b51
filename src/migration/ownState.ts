/**
 * Reading an object's own fields before it is migrated. The object is the
 * program's: an own getter or a Proxy trap may throw while it is read. That
 * is not the migrator's failure and must not escape as the program's own
 * error: the object's state cannot be captured, so it can be neither
 * migrated nor restored, and the update is refused naming the object and the
 * property, before anything changed.
 */
import { UnswappableObjectError } from "../errors.js";

export interface OwnState {
  readonly keys: readonly string[];
  readonly values: readonly unknown[];
}

/** `Object.keys(object)`, refused with a typed error if a Proxy trap throws. */
export function ownKeysOf(object: object, className: string, index: number): string[] {
  try {
    return Object.keys(object);
  } catch (error) {
    throw unreadable(object, className, index, "listing its own properties", error);
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
    throw unreadable(object, className, index, `reading its property "${keys[i]}"`, error);
  }
  return values;
}

/** Both: an object's own enumerable string-keyed fields and their values. */
export function readOwnState(object: object, className: string, index: number): OwnState {
  const keys = ownKeysOf(object, className, index);
  return { keys, values: valuesOf(object, keys, className, index) };
}

function unreadable(
  object: object,
  className: string,
  index: number,
  what: string,
  cause: unknown,
): UnswappableObjectError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new UnswappableObjectError(
    `${className} instance #${index} cannot be migrated: ${what} threw (${message}); its state cannot be captured, so it could be neither migrated nor restored`,
    { className, index, object, rule: "unreadable", cause },
  );
}
