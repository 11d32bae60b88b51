/**
 * The engine's own reads of a program's objects (a prototype, whether one
 * can be extended, its keys, its descriptors) run none of the program's
 * code but a Proxy's trap, and a trap may throw: on every call, or once,
 * on its k-th. That is not the program's error to pass on as it came: the
 * object cannot be read, so it can be neither migrated nor restored, and
 * the update is refused before anything changed (MM_UNSWAPPABLE_OBJECT,
 * rule `unreadable`), naming the class, the object and what the engine was
 * doing (review advZ23: the trap's own Error came out of the registry's
 * compaction, the scan, the side-effect witness).
 *
 * No try/catch per object in the loops that read every instance: a read
 * that knows its object says so where it is cheap (one guard around a
 * loop, or on a path that is slow anyway), and an update's phase guards
 * its steps as a whole (src/migration/phases/prepare.ts), naming the class
 * and the object where it can find them.
 */
import { UnswappableObjectError } from "../errors.js";

/** What is known of an object whose read threw. */
export interface ReadAt {
  readonly className?: string | undefined;
  readonly index?: number | undefined;
  readonly object?: object | undefined;
}

/** The refusal of an object whose read threw `cause` while the engine was at `step`. */
export function unreadableError(
  at: ReadAt,
  what: string,
  step: string,
  cause: unknown,
): UnswappableObjectError {
  const message = cause instanceof Error ? cause.message : String(cause);
  const { className, index, object } = at;
  const who =
    className === undefined
      ? "an instance"
      : index === undefined
        ? `an instance of ${className}`
        : `${className} instance #${index}`;
  return new UnswappableObjectError(
    `${who} cannot be migrated: ${what} threw while ${step} (${message}); its state cannot be captured, so it could be neither migrated nor restored`,
    { className, index, object, rule: "unreadable", step, what, cause },
  );
}
