/**
 * The lifecycle's apply step, the end of its synchronous block: the
 * engine's phases run (through `applyUpdate`, or the `apply` hook wrapping
 * it as `next()`), and their phase events move the run to migrating and
 * validating. A hook that throws after `next()` committed has the update
 * rolled back, still inside the block, so "nothing changed" stays true.
 */
import { performance } from "node:perf_hooks";
import { LifecycleError } from "../errors.js";
import type { Prefound } from "../migration/phases/find.js";
import { refuseIfRolledBack } from "../migration/phases/requested.js";
import type { UpdateEvent } from "../migration/update.js";
import type { NamespaceSnapshot } from "../namespace/namespace.js";
import type { AppliedUpdate } from "./apply.js";
import { applyUpdateFound } from "./apply.js";
import type { CallTracker } from "./callTracking.js";
import type { LifecycleContext, LifecycleHooks, LifecycleUpdate } from "./hooks.js";
import type { RollbackQuiescence } from "./quiescentRollback.js";
import { withQuiescentRollback } from "./quiescentRollback.js";
import type { RunRecord } from "./runRecord.js";

export interface ApplyingRun {
  readonly record: RunRecord;
  readonly update: LifecycleUpdate;
  readonly hooks: LifecycleHooks;
  readonly ctx: LifecycleContext;
  readonly tracker: CallTracker | undefined;
  readonly requested?: NamespaceSnapshot;
  /** How the update is applied, which its rollbacks repeat (quiescentRollback.ts). */
  readonly quiescence?: RollbackQuiescence;
  /** The end of the update's time (`timeoutMs` from the start of its wait), which migrating may not pass. */
  readonly deadline?: number;
}

export type ApplyOutcome =
  | AppliedUpdate
  | { readonly error: unknown; readonly rolledBack?: boolean };

export function applyStep(
  run: ApplyingRun,
  blockStart: number,
  /** Instances found before the block (Run.findInstancesAhead). */
  prefound?: Prefound,
): ApplyOutcome {
  const { update, tracker, record, hooks, ctx } = run;
  // What is running now finishes on the new version (still one synchronous block).
  record.straddled = tracker?.inFlight() ?? [];
  record.to("applying");
  const userOnEvent = update.options?.onEvent;
  const onEvent = (event: UpdateEvent) => {
    if (event.status === "start" && event.phase === "migrate") record.to("migrating");
    if (event.status === "start" && event.phase === "validate") record.to("validating");
    // Lazy guards came or went, or a rollback restored old methods: wrap what is installed now.
    if (event.status === "end" && (event.phase === "sweep" || event.phase === "rollback"))
      tracker?.refresh();
    userOnEvent?.(event);
  };
  let committedByNext: AppliedUpdate | undefined;
  const next = () => {
    // p1, lazy, rolled itself back at a first touch while this run waited:
    // its patch was written for p1's world (review advZ12, as update() does).
    if (run.requested) refuseIfRolledBack(update.namespace, update.patch.name, run.requested);
    committedByNext = applyUpdateFound(
      update.namespace,
      update.patch,
      { ...update.options, onEvent },
      prefound,
      run.deadline,
    );
    return run.quiescence
      ? withQuiescentRollback(committedByNext, run.quiescence)
      : committedByNext;
  };
  try {
    record.applied = record.syncStep("apply", () =>
      hooks.apply ? hooks.apply(ctx, next) : next(),
    );
  } catch (error) {
    if (committedByNext) return undoAfterHook(record, committedByNext, error);
    return { error };
  } finally {
    tracker?.refresh();
    record.pauseMs = performance.now() - blockStart;
  }
  record.to("committed", undefined, {
    pauseMs: record.pauseMs,
    migrated: record.applied.instancesMigrated,
    straddled: record.straddled.length,
    toVersion: record.applied.toVersion,
  });
  return record.applied;
}

function undoAfterHook(
  record: RunRecord,
  applied: AppliedUpdate,
  error: unknown,
): { error: unknown; rolledBack: boolean } {
  record.applied = applied;
  try {
    applied.rollback();
    return { error, rolledBack: true };
  } catch (rollbackError) {
    const failure = new LifecycleError(
      `the apply hook threw after next() had committed, and rolling the update back failed too: ${(rollbackError as Error)?.message ?? String(rollbackError)}`,
      { update: record.name, cause: error, rollbackError },
    );
    return { error: failure, rolledBack: false };
  }
}
