/**
 * Rolling back an update the lifecycle applied, at a moment as safe as the
 * one it was applied at. A rollback changes code and layout under the calls
 * in flight just as an update does: a call of the new version suspended at an
 * `await` when `metamorph rollback` (or `report.applied.rollback()`) ran
 * resumed on the old layout, wrote its counter into a field the old version
 * does not have, and the next order reused an acknowledged number (review
 * advZ15). So `rollbackWhenQuiescent` waits for the update's own
 * alterability — its criterion, with the run's tracker, forced quiescence
 * holding new calls of the affected classes meanwhile — within its
 * `timeoutMs`, and reverts in the synchronous block the wait ended in; then
 * held calls run on the old version. On time-out it is refused
 * (RollbackError) with nothing changed, and held calls run on the new one.
 * The synchronous `rollback()` stays the engine's: it reverts at once, at the
 * caller's update point.
 */
import { performance } from "node:perf_hooks";
import { RollbackError } from "../errors.js";
import { evaluate, waitUntilAlterable } from "./alterability.js";
import type { AppliedUpdate } from "./apply.js";
import type { CallTracker } from "./callTracking.js";
import type { Alterability } from "./runAlterability.js";
import { trackWhatItNeeds } from "./runAlterability.js";

/** How the update was applied, which its rollbacks repeat. */
export interface RollbackQuiescence {
  readonly update: string;
  readonly tracker: CallTracker | undefined;
  readonly alterability: Alterability;
  /** The update's `timeoutMs`. */
  readonly timeoutMs: number;
}

/** `applied`, with a `rollbackWhenQuiescent` that waits for the update's alterability. */
export function withQuiescentRollback(
  applied: AppliedUpdate,
  quiescence: RollbackQuiescence,
): AppliedUpdate {
  return {
    ...applied,
    rollbackWhenQuiescent: async () => {
      await rollBackWhenAlterable(applied, quiescence, { holdAnew: true, anyway: false });
    },
  };
}

const refusal = (q: RollbackQuiescence, blocking: readonly string[]) =>
  new RollbackError(
    `rollback of update ${q.update} refused, nothing changed: not alterable within ${q.timeoutMs} ms (${blocking.join("; ") || "criterion not met"}), and a call in flight would resume on the layout the rollback puts back; retry once the calls have finished, or give the update a longer timeoutMs`,
    { update: q.update, timeoutMs: q.timeoutMs, blocking: [...blocking] },
  );

/** Already rolled back or permanent: the engine's own refusal, before any call is held. */
function refuseIfOver(applied: AppliedUpdate): void {
  const over = (state: string | undefined) => state === "rolled-back" || state === "permanent";
  if (over(applied.result?.state()) || over(applied.adoption?.state())) applied.rollback();
}

/**
 * Waits until the update is alterable, then rolls back in that synchronous
 * block. With `holdAnew`, forced quiescence holds new calls meanwhile (unless
 * a hold stands already: another update of this tracker waiting, or the run's
 * own). On time-out: refused, nothing changed — or, with `anyway` (the health
 * check failed: the update must go), rolled back regardless. Returns what was
 * still in flight when it rolled back.
 */
export async function rollBackWhenAlterable(
  applied: AppliedUpdate,
  q: RollbackQuiescence,
  { holdAnew, anyway }: { readonly holdAnew: boolean; readonly anyway: boolean },
): Promise<readonly string[]> {
  const { tracker, alterability } = q;
  if (!tracker) {
    applied.rollback();
    return [];
  }
  refuseIfOver(applied);
  const added = trackWhatItNeeds(tracker, alterability);
  const holding = holdAnew && alterability.holdTargets.length > 0 && !tracker.holding;
  const hold = holding ? tracker.hold(alterability.holdTargets) : undefined;
  try {
    const deadline = performance.now() + q.timeoutMs;
    for (;;) {
      const outcome = await waitUntilAlterable(alterability.criterion, {
        tracker,
        timeoutMs: deadline - performance.now(),
      });
      // ---- one synchronous block from the last check to the end of the rollback ----
      const now = evaluate(alterability.criterion, tracker);
      if (now.met || (!outcome.met && anyway)) {
        applied.rollback();
        tracker.refresh();
        return now.blocking;
      }
      if (!outcome.met) throw refusal(q, now.blocking);
      // Alterable when the wait ended, not any more now: the program moved on; wait again.
    }
  } finally {
    // On the old version after the rollback, on the new one after a refusal.
    hold?.release();
    for (const cls of added) tracker.untrack(cls);
  }
}
