/**
 * The deadline a coordinator gives one participant's commit (a cluster's
 * primary to its workers). Past it the coordinator has given up and told
 * the others to roll back, so the update must not stand here either. It is
 * checked as late as the lifecycle allows: before the commit starts, right
 * after the engine committed (still inside the synchronous block, where a
 * throw rolls the update back with nothing changed), and once more after
 * the health check, which runs right after the commit and rolls it back on
 * false. What follows (wait-until-over, the answer on its way) is the
 * coordinator's grace; an answer later still is rolled back by it.
 */
import { CommitDeadlineError } from "./errors.js";

export interface CommitDeadline {
  /** Throws CommitDeadlineError once the deadline has passed. */
  check(): void;
  /** The target's health check followed by the deadline: false (rollback) once it has passed. */
  healthCheck(check?: () => boolean | Promise<boolean>): () => Promise<boolean>;
  /** The refusal, once the deadline refused or rolled back the update. */
  readonly missed: CommitDeadlineError | undefined;
  /** The deadline on `performance.now()`'s clock, for the lifecycle's wait for quiescence. */
  readonly monotonic: number;
}

export function commitDeadline(deadline: number, update: string): CommitDeadline {
  let missed: CommitDeadlineError | undefined;
  const late = (): CommitDeadlineError | undefined => {
    const over = Date.now() - deadline;
    if (over <= 0) return undefined;
    const at = new Date(deadline).toISOString();
    return new CommitDeadlineError(
      `update ${update} would stand ${over} ms after its commit deadline (${at}), when its coordinator gave up on it; it was not applied here`,
      { update, deadline: at, lateMs: over },
    );
  };
  return {
    check() {
      missed = late();
      if (missed) throw missed;
    },
    healthCheck(check) {
      return async () => {
        const healthy = check ? await check() : true;
        missed = late();
        return healthy && missed === undefined;
      };
    },
    get missed() {
      return missed;
    },
    monotonic: performance.now() + (deadline - Date.now()),
  };
}
