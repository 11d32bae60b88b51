/**
 * The result of a committed update, and what can still happen to it: lazy
 * completion (lazyCompletion.ts, sweep.ts) — which rolls the whole update
 * back if an object cannot be migrated — rollback (rollback.ts) or
 * permanence, which forgets what a rollback would need.
 */
import { RollbackError } from "../errors.js";
import type { MigrationError } from "../errors.js";
import { stablePrototype } from "../mop/classHandle.js";
import { forgetOldVersions } from "../mop/classVersions.js";
import { sampleOf } from "../mop/instances/findEach.js";
import type { ValidationReport } from "../validation/report.js";
import type { FailedDuring } from "./lazyCompletion.js";
import type { Built } from "./phases/build.js";
import type { Detected } from "./phases/detect.js";
import type { PhaseClock } from "./phaseClock.js";
import type { Committed } from "./rollback.js";
import { namespaceRefusal, rollBack } from "./rollback.js";
import type { Namespace } from "../namespace/namespace.js";
import { runningOn, whileBusy } from "./exclusive.js";
import { NestedUpdateError } from "./errors.js";
import { sweep } from "./sweep.js";
import type { HookError } from "./updateHooks.js";
import { hookContext, runAfterRollback } from "./updateHooks.js";
import { unseenInstances } from "./unseenInstances.js";
import { staleAtRollback } from "./staleAtRollback.js";
import { type UpdateWarning, updateWarnings } from "./warnings.js";
import { weakenLogs } from "./logWeakening.js";
import type {
  LazyCompletion,
  UpdateOptions,
  UpdateResult,
  UpdateState,
  UpdateTimings,
} from "./types.js";

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

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection nobody awaits (a lazy update rolled back by a first touch)
  // must not become an unhandled rejection; awaiting it still rejects.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * A rollback asked for by code an update runs (a migrator mid-migration,
 * a validation, a hook): the object it migrates would finish on the new
 * layout under the old methods once it returned, and another update's
 * side-effect undo put back what this rollback took away.
 */
function refuseMidMigration(namespace: Namespace, patch: string): void {
  const running = runningOn(namespace);
  if (running !== undefined) {
    throw new NestedUpdateError(
      `rollback() of update ${patch} was called while ${running} was running (from a migrator, an initialiser or a getter it reads); call it after`,
      { patch, running },
    );
  }
}

/** What can still change about a committed update. */
interface Life {
  state: UpdateState;
  stopSweep: boolean;
  /**
   * While its rollback runs — from the "rollback start" event to the end of
   * its afterRollback hooks: code it runs then (a getter on a field it reads
   * back, a listener, a hook) may not make it permanent or complete it.
   */
  rollingBack: boolean;
}

/** Drops what a rollback would need: nothing of the update stays reachable from its result. */
function forget({ applied, lazy, builtOutside, earlier }: Committed): void {
  for (const log of applied) log.clear();
  // An earlier lazy update this one completed stays complete, and is let go.
  if (earlier) {
    earlier.checkpoint = null;
    earlier.lazy = null;
  }
  builtOutside.clear();
  lazy?.forget();
}

/**
 * Rolls the update back, timed and told as the rollback phase; then the
 * afterRollback hooks run. All of it with the namespace busy: code the
 * rollback runs (a getter on a field it reads back, a listener told it
 * started) that starts an update or rolls one back is refused
 * (MM_NESTED_UPDATE), as is making this one permanent or completing it —
 * accepted, they committed under it, or dropped the history it was about to
 * restore, and it failed half-way or left the namespace unusable.
 */
function undoer(
  outcome: Outcome,
  life: Life,
  timings: UpdateTimings,
  hookErrors: HookError[],
  warnings: UpdateWarning[],
) {
  const { namespace } = outcome.committed;
  return (reason: string, detail: Record<string, unknown>): void =>
    whileBusy(namespace, `the rollback of ${outcome.patch}`, () => {
      life.rollingBack = true;
      try {
        undoNow(outcome, life, timings, hookErrors, reason, detail);
        // Out of the rollback's time: the program runs nothing in between.
        // On the result the program holds, and on what update() returns.
        warnings.push(...staleAtRollback(outcome.detected.changed, outcome.built));
      } finally {
        life.rollingBack = false;
      }
    });
}

function undoNow(
  outcome: Outcome,
  life: Life,
  timings: UpdateTimings,
  hookErrors: HookError[],
  reason: string,
  detail: Record<string, unknown>,
): void {
  const t0 = performance.now();
  outcome.clock.emit("rollback", "start", undefined, { reason, ...detail });
  life.stopSweep = true;
  try {
    rollBack(outcome.committed);
  } catch (error) {
    // Refused before anything changed (rollback.ts): the update goes on, its sweep too.
    life.stopSweep = false;
    throw error;
  }
  life.state = "rolled-back";
  const { namespace } = outcome.committed;
  hookErrors.push(
    ...runAfterRollback(
      outcome.built.build.hooks.afterRollback,
      hookContext(namespace, outcome.patch),
    ),
  );
  // Not found as instances afterwards either (the heap finder sees what is reachable).
  forget(outcome.committed);
  const ms = performance.now() - t0;
  timings.rollback = ms;
  outcome.clock.emit("rollback", "end", ms, { reason, ...detail });
}

/** Refuses what code run by the update's own rollback asks of it (see undoer). */
function refuseWhileRollingBack(life: Life, patch: string, call: string): void {
  if (life.rollingBack) {
    throw new NestedUpdateError(
      `${call} of update ${patch} was called while its rollback was running (from a getter the rollback reads, a listener or an afterRollback hook); call it after`,
      { patch, running: `the rollback of ${patch}` },
    );
  }
}

/** Resolves when no old-layout object is left; a failed migration rolls back and rejects it. */
function completionOf(
  outcome: Outcome,
  life: Life,
  undo: ReturnType<typeof undoer>,
): Deferred<LazyCompletion> {
  const { lazy, migrated } = outcome.committed;
  const completion = deferred<LazyCompletion>();
  // Complete, its logs are appended to only after a reopen (weakenedLog.ts `add`).
  if (lazy)
    completion.promise.then(
      () => weakenLogs(lazy.logs),
      () => {},
    );
  if (!lazy?.pendingPossible) completion.resolve({ migrated, failed: [] });
  else {
    lazy.onComplete = completion.resolve;
    lazy.onFailure = (error: MigrationError, during: FailedDuring) => {
      undo("migration-failed", { during, error: error.message });
      completion.reject(error);
    };
    if (outcome.built.policy === "progressive") {
      const sliceSize = outcome.options.sliceSize;
      sweep(lazy, sliceSize, outcome.clock, () => life.stopSweep).then(
        completion.resolve,
        completion.reject,
      );
      // A later update completed this one and was undone: the objects it
      // migrated are pending again, and the sweep goes on (or starts again).
      // Refused, it had not told the completion (lazyCompletion.ts held);
      // rolled back after its commit, the completion has resolved already.
      // A failure still rolls back.
      lazy.onReopen = () => {
        if (!lazy.sweeping) {
          sweep(lazy, sliceSize, outcome.clock, () => life.stopSweep).catch(() => {});
        }
      };
    }
  }
  return completion;
}

/**
 * A rollback that came before the completion: not "no old instance left"
 * (a sweep it stopped said so); a completion that came first stays.
 */
function rejectUnfinished(completion: Deferred<LazyCompletion>, patch: string): void {
  completion.reject(
    new RollbackError(
      `update ${patch} was rolled back before its migration completed: objects it had not reached stay on the old version`,
      { patch },
    ),
  );
}

export function updateResult(outcome: Outcome): UpdateResult {
  const { patch, built, detected, committed, clock } = outcome;
  const { namespace, lazy, migrated } = committed;
  const policy = built.policy;
  const life: Life = { state: "committed", stopSweep: false, rollingBack: false };
  const timings = clock.finish();
  const hookErrors: HookError[] = [];
  // Filled below, where they always were; a rollback adds its own (undoer).
  const warnings: UpdateWarning[] = [];
  const undo = undoer(outcome, life, timings, hookErrors, warnings);
  const completion = completionOf(outcome, life, undo);
  // The earlier lazy update this one completed first is complete for good now that this one stands.
  committed.earlier?.lazy?.tellHeld();
  warnings.push(...committedWarnings(namespace, built, detected, committed));
  void weakenLogs(committed.applied); // what the program drops needs no restoring
  const refuseUnless = (verb: string) => {
    const state = life.state;
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
    // What the commit made: an afterCommit hook's define since is no part of it.
    toVersion: committed.record.toVersion,
    changes: detected.changes,
    classesChanged: new Set(detected.changes.map((c) => c.className)).size,
    instancesMigrated: policy === "eager" ? migrated : 0,
    timings,
    get pauseMs() {
      return Math.max(timings.total, timings.rollback ?? 0);
    },
    get longestBlockMs() {
      return Math.max(timings.total, timings.rollback ?? 0, timings.find ?? 0);
    },
    validation: outcome.report,
    warnings,
    listenerErrors: clock.listenerErrors,
    hookErrors,
    migratedSoFar: () => lazy?.migratedCount ?? 0,
    // Once permanent, objects a lazy update has not reached are still pending.
    pendingInstances: () =>
      (life.state === "committed" || life.state === "permanent") && lazy ? lazy.pending() : 0,
    completion: completion.promise,
    completeMigration: () => {
      refuseWhileRollingBack(life, patch, "completeMigration()");
      return lazy ? lazy.complete() : { migrated: 0, failed: [] };
    },
    state: () => life.state,
    makePermanent() {
      refuseUnless("permanent");
      refuseWhileRollingBack(life, patch, "makePermanent()");
      life.state = "permanent";
      forget(committed);
      // Homes of retired methods are still needed while a later update
      // (which could be rolled back onto this one's methods) is not permanent.
      const latest = namespace.version === result.toVersion;
      for (const handle of namespace.classes()) forgetOldVersions(handle, latest);
      namespace.forgetHistoryBefore(result.toVersion);
    },
    rollback() {
      refuseUnless("rollback");
      refuseMidMigration(namespace, patch);
      // Before the rollback is told to start (rollBack looks again: a listener may define).
      const refused = namespaceRefusal(committed);
      if (refused !== undefined) throw refused;
      undo("requested", {});
      rejectUnfinished(completion, patch);
    },
  };
  return result;
}

/** What a committed update says it could not do for the program (warnings.ts, unseenInstances.ts). */
function committedWarnings(
  namespace: Namespace,
  built: Built,
  detected: Detected,
  committed: Committed,
): UpdateWarning[] {
  return [
    ...unseenInstances(namespace, detected.migrating),
    ...updateWarnings(
      built,
      detected,
      (className) =>
        committed.applied
          .filter((log) => log.plan.className === className)
          .flatMap((log) => log.objects),
      (className) =>
        sampleOf(namespace.finder, stablePrototype(namespace.classNamed(className)), 1),
    ),
  ];
}
