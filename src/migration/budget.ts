/**
 * The time an update may take before it commits, when its caller set one
 * (the lifecycle's `timeoutMs`, counted from the start of its wait for
 * alterability). Past it, whoever asked for the update has given up (the
 * command line exited MM_CONTROL_TIMEOUT), so the update must not commit
 * after all. An eager update runs every object's migration code before it
 * rewrites the first object, so the prepare phase can stop between objects
 * with nothing changed. A single migrator call that never returns cannot be
 * interrupted: the clock is read between calls only.
 */
import { LifecycleError } from "../errors.js";

/**
 * How many objects the prepare phase migrates between two reads of the
 * clock (as the sweep does): a read costs about as much as a few objects'
 * compiled migration, so reading it for each would slow every update.
 */
export const BUDGET_STRIDE = 1024;

/** The update ran out of its time before its commit: refused, nothing changed. */
export class BudgetExceededError extends LifecycleError {}

/**
 * Throws BudgetExceededError once `deadline` (on `performance.now()`'s
 * clock) has passed; does nothing without one.
 */
export function budgetCheck(deadline: number | undefined, patch: string): () => void {
  if (deadline === undefined) return () => {};
  return () => {
    const lateMs = performance.now() - deadline;
    if (lateMs <= 0) return;
    throw new BudgetExceededError(
      `update ${patch}: its migration code ran ${Math.round(lateMs)} ms past the update's time-out (timeoutMs, counted from the start of its wait for alterability); nothing changed`,
      { patch, phase: "migrate", lateMs },
    );
  };
}
