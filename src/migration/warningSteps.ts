/**
 * The checks that give a committed update its warnings run after the
 * commit, and some read the program's objects (a sample of the migrated
 * ones, some alive: a Proxy of one may throw on any read, a revoked one on
 * every read). Nothing may throw out of an update once it committed: the
 * caller would take it for failed while it stands. A check that throws is
 * reported as a warning of its own (MM_WARNING_CHECK_FAILED), with what it
 * threw, and the other checks still run.
 */
import type { UpdateWarning } from "./warning.js";
import { warning } from "./warning.js";

/** `check`'s warnings about `className`, or the one saying it threw. */
export function checked(
  className: string,
  check: string,
  run: () => readonly UpdateWarning[],
): readonly UpdateWarning[] {
  try {
    return run();
  } catch (cause) {
    return [checkFailed(className, check, cause)];
  }
}

/** The warning that the look for `check` at class `className` threw `cause`. */
export function checkFailed(className: string, check: string, cause: unknown): UpdateWarning {
  const message = cause instanceof Error ? cause.message : String(cause);
  const said = warning(
    "MM_WARNING_CHECK_FAILED",
    className,
    undefined,
    `the look for ${check} threw after the commit (${message})`,
    "the update is committed; what that look would have said is not known — read the cause, and look at the class's objects yourself",
  );
  return { ...said, cause };
}
