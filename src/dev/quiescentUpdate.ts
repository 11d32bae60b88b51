/**
 * A reload of classes with calls in flight (issue 15, item 3), the same for
 * `metamorph dev` (./applyReload.ts) and the Vite page (./vitePageUpdate.ts):
 * a call suspended at an `await` must never resume on objects of the new
 * layout (its write would land in a field the new version no longer has),
 * so such a reload goes through the lifecycle's forced quiescence — new
 * calls of the affected classes held at entry, the ones in flight drained,
 * apply, release — and gives up after a time-out with nothing changed,
 * saying which calls it waited for. (Which calls those are: ./tracking.ts.)
 * The page imports this module only when an edit has calls to wait for: it
 * brings the lifecycle.
 */
import type { CallTracker } from "../lifecycle/callTracking.js";
import { LifecycleError } from "../errors.js";
import type { AppliedUpdate } from "../lifecycle/apply.js";
import { runUpdate } from "../lifecycle/lifecycle.js";
import type { UpdateOptions } from "../migration/types.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Patch } from "../patch/patch.js";
import type { CallsInFlight } from "./tracking.js";

/**
 * Applies `patch` once the calls in flight have finished, new ones held
 * meanwhile. Rejects, with nothing changed, when they do not finish within
 * `timeoutMs` (naming them) or when the update itself fails (its own error).
 */
export async function updateWhenQuiescent(
  namespace: Namespace,
  patch: Patch,
  options: UpdateOptions,
  tracker: CallTracker,
  waiting: CallsInFlight,
  timeoutMs: number,
  /** Runs in the commit's synchronous block, before the held calls run on the new version (re-tracking its methods). */
  onCommit: () => void,
): Promise<AppliedUpdate> {
  const outcome = await runUpdate(
    {
      namespace,
      patch,
      options,
      forceQuiescence: true,
      timeoutMs,
      affects: waiting.affected,
      hooks: {
        apply(_context, next) {
          const applied = next();
          onCommit();
          return applied;
        },
        // A progressive migration goes on in slices, followed by the caller;
        // the lifecycle's default would finish it in one block after 1 s.
        waitUntilOver() {},
      },
    },
    { tracker },
  );
  if (outcome.status === "committed" && outcome.applied) return outcome.applied;
  if (outcome.status !== "postponed")
    throw outcome.error ?? new Error(outcome.reason ?? outcome.status);
  throw new LifecycleError(
    `the calls in flight (${waiting.calls}) did not finish within ${timeoutMs} ms${outcome.reason ? ` (${outcome.reason})` : ""}`,
    { calls: waiting.calls, timeoutMs },
  );
}
