/**
 * Phase 6, commit: the shadow replaces the namespace's bindings and class
 * versions, then either every prepared new state is written into its object
 * (eager) or the lazy guards go in (lazy, progressive). Input: shadow, plans
 * and prepared states; output: what was committed, which rollback.ts can
 * revert later. Undo: if anything throws part-way, the objects already
 * rewritten, the guards and the bindings are restored before the
 * CommitError leaves this phase. Then, in the same synchronous block, the
 * patch's afterCommit hooks run (updateHooks.ts); if one throws, the update
 * is rolled back exactly and AfterCommitError leaves this phase.
 */
import { AfterCommitError, CommitError, MigrationSideEffectError } from "../../errors.js";
import type { ReplaceRecord } from "../../namespace/bulkReplace.js";
import { replaceNamespace } from "../../namespace/bulkReplace.js";
import type { Namespace } from "../../namespace/namespace.js";
import { holdBindings } from "../../namespace/snapshotHistory.js";
import type { EarlierCompletion } from "../lazyCompletion.js";
import { LazyMigration } from "../lazyCompletion.js";
import type { ApplyProgress, MigrationLog } from "../migrationLog.js";
import { restoreLoggedContainers } from "../heldContainers.js";
import { outsideHomes } from "../outsideBuilt.js";
import type { Committed } from "../rollback.js";
import { lockedMigrated, migratedEntries, namespaceRefusal, rollBack } from "../rollback.js";
import {
  HookWitness,
  hookContext,
  lockedByHookError,
  runAfterCommit,
  runAfterRollback,
} from "../updateHooks.js";
import type { UpdateOptions } from "../types.js";
import type { Built } from "./build.js";
import type { Prepared } from "./prepare.js";
import { unextensibleError } from "../unswappable.js";
import type { Shadowed } from "./shadow.js";

export function commitPhase(
  namespace: Namespace,
  patchName: string,
  { policy, build: { hooks } }: Built,
  { shadow, plans, replaced }: Shadowed,
  prepared: Prepared,
  onCommitStep: UpdateOptions["onCommitStep"],
  earlier: EarlierCompletion | undefined,
  changed: ReadonlySet<string>,
): Committed {
  const { logs, count, dryRun, builtOutside, preexisting } = prepared;
  // A dry run only served the validations: lazy objects migrate at first
  // touch, where their migrators must find their containers as they were.
  if (dryRun) restoreLoggedContainers(logs);
  const applied = dryRun ? [] : [...logs];
  const total = dryRun ? 0 : count;
  const fromVersion = namespace.version;
  const lazy =
    policy === "eager" ? undefined : new LazyMigration(namespace, patchName, plans, changed);
  // Code the commit runs between its replace and its last rewrite
  // (onCommitStep; for an object written since it was prepared, its getters
  // and the migrators, run again on what it holds now) that defines a
  // binding is refused (MM_ROLLBACK): the binding moved the namespace on, and
  // the undo of a commit failing after it was refused once every object was
  // back, the new classes left over the old layout; a commit that stood
  // carried a binding no validation saw, and could never be rolled back.
  const record = namespace[holdBindings](`the commit of update ${patchName}`, () =>
    install(namespace, patchName, shadow, applied, total, lazy, prepared, onCommitStep),
  );
  const committed: Committed = {
    patch: patchName,
    namespace,
    plans,
    applied,
    migrated: total,
    lazy,
    record,
    builtOutside,
    installedHomes: outsideHomes(replaced),
    preexisting,
    earlier,
  };
  if (hooks.afterCommit.length > 0) afterCommit(committed, patchName, hooks, fromVersion);
  return committed;
}

/**
 * The patch's afterCommit hooks, in the commit's synchronous block. If one
 * throws, the update is rolled back exactly before the error leaves: objects
 * (including what the hooks wrote to them), bindings and class versions; then
 * the afterRollback hooks run (in reverse) to undo what the earlier hooks did.
 */
function afterCommit(
  committed: Committed,
  patchName: string,
  hooks: Built["build"]["hooks"],
  fromVersion: number,
): void {
  const { namespace, lazy } = committed;
  const witness = new HookWitness();
  const context = hookContext(namespace, patchName, witness);
  const toVersion = namespace.version;
  // An object a hook touches that cannot be migrated fails the hook (and so the update).
  if (lazy)
    lazy.onFailure = (error) => {
      throw error;
    };
  // A hook that caught the error of an object it touched has not undone the
  // failure: the update is failing all the same (its guards would otherwise
  // run the new methods over the other objects' old layout).
  const failure = runAfterCommit(hooks.afterCommit, context, () => lazy?.failure);
  if (lazy) lazy.onFailure = undefined;
  if (!failure) return;
  // What the hooks were handed goes back first, as it was when handed out:
  // the exact revert then finds the layouts the commit left.
  const owned = new Set(migratedEntries(committed.applied, lazy).keys());
  const stray = witness.unrestorable((object) => owned.has(object));
  // A hook that defined a binding moved the namespace on: its undo would be
  // refused once every object was back (rollback.ts namespaceRefusal).
  const locked =
    stray === undefined
      ? (namespaceRefusal(committed) ?? lockedMigrated(committed))
      : lockedByHookError(stray);
  if (locked !== undefined) {
    // Nothing can be undone (a hook locked a migrated object): said as such.
    throw new AfterCommitError(
      `update ${patchName} stays committed at version ${toVersion}: its afterCommit hook "${failure.hook}" threw (${(failure.error as Error)?.message ?? String(failure.error)}), and it cannot be rolled back: ${locked.message}`,
      { patch: patchName, hook: failure.hook, rolledBack: false, toVersion, cause: failure.error },
    );
  }
  witness.restore((object) => owned.has(object));
  rollBack(committed, { exact: true });
  committed.applied.length = 0;
  const rollbackErrors = runAfterRollback(hooks.afterRollback, context);
  const cause = failure.error;
  throw new AfterCommitError(
    `update ${patchName} was rolled back: its afterCommit hook "${failure.hook}" ${failure.caught ? "caught the failure of a migration it started" : "threw"} after the commit (${(cause as Error)?.message ?? String(cause)}); every object was restored and version ${fromVersion} reinstalled in place of ${toVersion}` +
      (rollbackErrors.length > 0
        ? `; ${rollbackErrors.length} afterRollback hook(s) threw too (details.afterRollbackErrors)`
        : ""),
    {
      patch: patchName,
      hook: failure.hook,
      index: failure.index,
      rolledBack: true,
      fromVersion,
      toVersion,
      afterRollbackErrors: rollbackErrors,
      cause,
    },
  );
}

/**
 * Installs the shadow and either rewrites every object (eager) or puts the
 * guards in (lazy); if anything throws part-way, undoes all of it before the
 * CommitError leaves.
 */
function install(
  namespace: Namespace,
  patchName: string,
  shadow: Shadowed["shadow"],
  applied: readonly MigrationLog[],
  total: number,
  lazy: LazyMigration | undefined,
  { witness, builtOutside }: Prepared,
  onCommitStep: UpdateOptions["onCommitStep"],
): ReplaceRecord {
  // How far the commit got: every object of the logs before `log`, and `progress` in it.
  let log = 0;
  let before = 0;
  const progress: ApplyProgress = { done: 0, partial: false };
  let record: ReplaceRecord | undefined;
  try {
    record = replaceNamespace(namespace, shadow);
    // Onto the stable prototypes, with the old layout, before the guards or the rewrite.
    builtOutside.moveIn(namespace.finder);
    if (lazy) lazy.install();
    else {
      const onStep = onCommitStep ? (i: number) => onCommitStep(before + i, total) : undefined;
      for (; log < applied.length; log++) {
        const changed = applied[log]!.applyAll(progress, onStep);
        // Migration code wrote to an object the witness left to its rewrite to check.
        if (changed >= 0) throw witness!.changedAt(patchName, applied[log]!, changed);
        before += applied[log]!.length;
      }
      for (const done of applied) done.committed();
    }
  } catch (error) {
    const done = before + progress.done;
    const failures: RevertFailure[] = [];
    if (record) {
      if (log < applied.length) revertLog(applied[log]!, progress, failures);
      for (let l = log - 1; l >= 0; l--) {
        revertLog(applied[l]!, { done: applied[l]!.length, partial: false }, failures);
      }
      lazy?.uninstall();
      builtOutside.undo(namespace.finder);
      record.undo();
    }
    // Objects not reached yet hold containers their migrators converted in the prepare phase.
    restoreLoggedContainers(applied);
    if (error instanceof MigrationSideEffectError) witness!.restore();
    if (failures.length > 0) throw incompleteUndo(patchName, done, total, error, failures);
    if (error instanceof MigrationSideEffectError) throw error;
    // The scan left it to the rewrite to find (MigrationLog.extensibleUnchecked).
    const at = applied[log];
    const object = at?.extensibleUnchecked ? at.objects[progress.done] : undefined;
    if (object !== undefined && !Object.isExtensible(object)) {
      throw unextensibleError(object, at!.plan, progress.done);
    }
    if (error instanceof CommitError) throw error;
    throw new CommitError(
      `the commit of patch ${patchName} failed after ${done} of ${total} objects and was undone: ${(error as Error)?.message ?? String(error)}`,
      { patch: patchName, applied: done, total, cause: error },
    );
  }
  return record;
}

/** An object the undo of a failed commit could not put back, and why. */
interface RevertFailure {
  readonly className: string;
  readonly index: number;
  readonly object: object;
  readonly error: unknown;
}

/**
 * Reverts what `applyAll` did to `log`'s objects, by its `progress`, last
 * object first; one whose revert throws (a rewrite a typed array's elements
 * refused) is listed in `failures` and the others are reverted still: such
 * a throw used to stop the undo before the old classes were back, the
 * update half committed (review advX4).
 */
function revertLog(log: MigrationLog, progress: ApplyProgress, failures: RevertFailure[]): void {
  for (let i = progress.partial ? progress.done : progress.done - 1; i >= 0; i--) {
    try {
      log.revertAt(i);
    } catch (error) {
      failures.push({ className: log.plan.className, index: i, object: log.objects[i]!, error });
    }
  }
}

/**
 * A failed commit whose undo could not put some objects back (a revert
 * threw): the old classes are back, every other object too, and these are
 * named, so that nothing is left half done without a word.
 */
function incompleteUndo(
  patchName: string,
  done: number,
  total: number,
  cause: unknown,
  failures: readonly RevertFailure[],
): CommitError {
  const first = failures[0]!;
  return new CommitError(
    `the commit of patch ${patchName} failed after ${done} of ${total} objects: ${(cause as Error)?.message ?? String(cause)}; it was undone, but ${failures.length} object(s) could not be put back (${first.className} instance #${first.index}: ${(first.error as Error)?.message ?? String(first.error)})`,
    {
      patch: patchName,
      applied: done,
      total,
      cause,
      // The objects themselves: a revert that threw may have left one half
      // rewritten (its deletes done, its adds not), for the program to see to.
      undoFailures: failures.map(({ className, index, object }) => ({ className, index, object })),
    },
  );
}
