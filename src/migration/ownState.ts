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

export function readOwnState(object: object, className: string, index: number): OwnState {
  const record = object as Record<string, unknown>;
  let keys: string[];
  try {
    keys = Object.keys(object);
  } catch (error) {
    throw unreadable(object, className, index, "listing its own properties", error);
  }
  const values: unknown[] = new Array(keys.length);
  let i = 0;
  try {
    for (; i < keys.length; i++) values[i] = record[keys[i]!];
  } catch (error) {
    throw unreadable(object, className, index, `reading its property "${keys[i]}"`, error);
  }
  return { keys, values };
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
