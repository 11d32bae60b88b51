/**
 * The result of a committed update, and what can still happen to it: lazy
 * completion (lazyCompletion.ts, sweep.ts), rollback (rollback.ts) or
 * permanence, which forgets what a rollback would need.
 */
import { RollbackError } from "../errors.js";
import { forgetOldVersions } from "../mop/classVersions.js";
import type { ValidationReport } from "../validation/report.js";
import type { Built } from "./phases/build.js";
import type { Detected } from "./phases/detect.js";
import type { PhaseClock } from "./phaseClock.js";
import type { Committed } from "./rollback.js";
import { rollBack } from "./rollback.js";
import { sweep } from "./sweep.js";
import type { LazyCompletion, UpdateOptions, UpdateResult, UpdateState } from "./types.js";

export interface Outcome {
  readonly patch: string;
  readonly fromVersion: number;
  readonly built: Built;
  readonly detected: Detected;
  readonly report: ValidationReport;
  readonly committed: Committed;
  readonly clock: PhaseClock;
  readonly options: UpdateOptions;
}

export function updateResult(outcome: Outcome): UpdateResult {
  const { patch, built, detected, committed, clock } = outcome;
  const { namespace, lazy, applied } = committed;
  const policy = built.policy;
  let state: UpdateState = "committed";
  let stopSweep = false;
  const eagerCompletion: LazyCompletion = { migrated: applied.length, failed: [] };
  const completion: Promise<LazyCompletion> = !lazy?.pendingPossible
    ? Promise.resolve(eagerCompletion)
    : policy === "progressive"
      ? sweep(lazy, outcome.options.sliceSize ?? 2000, clock, () => stopSweep)
      : new Promise<LazyCompletion>(() => {});
  const timings = clock.finish();
  const refuseUnless = (verb: string) => {
    if (state !== "committed") {
      throw new RollbackError(
        verb === "permanent"
          ? `update ${patch} is already ${state}`
          : `update ${patch} is ${state} and cannot be rolled back`,
        { patch, state },
      );
    }
  };
  const result: UpdateResult = {
    outcome: "committed",
    patch,
    policy,
    fromVersion: outcome.fromVersion,
    toVersion: namespace.version,
    changes: detected.changes,
    classesChanged: new Set(detected.changes.map((c) => c.className)).size,
    instancesMigrated: policy === "eager" ? applied.length : 0,
    timings,
    pauseMs: timings.total,
    validation: outcome.report,
    migratedSoFar: () => lazy?.done.length ?? 0,
    pendingInstances: () => (state === "committed" && lazy ? lazy.pending() : 0),
    completion,
    completeMigration: () => (lazy ? lazy.complete() : { migrated: 0, failed: [] }),
    state: () => state,
    makePermanent() {
      refuseUnless("permanent");
      state = "permanent";
      applied.length = 0;
      if (lazy) lazy.done.length = 0;
      // Homes of retired methods are still needed while a later update
      // (which could be rolled back onto this one's methods) is not permanent.
      const latest = namespace.version === result.toVersion;
      for (const handle of namespace.classes()) forgetOldVersions(handle, latest);
      namespace.forgetHistoryBefore(result.toVersion);
    },
    rollback() {
      refuseUnless("rollback");
      if (namespace.version !== result.toVersion) {
        throw new RollbackError(
          `update ${patch} was followed by another update (namespace ${namespace.name} is at version ${namespace.version}); roll that back first`,
          { patch },
        );
      }
      const t0 = performance.now();
      clock.emit("rollback", "start");
      stopSweep = true;
      rollBack(committed);
      state = "rolled-back";
      clock.emit("rollback", "end", performance.now() - t0);
    },
  };
  return result;
}
