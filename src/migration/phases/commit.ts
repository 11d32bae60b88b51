/**
 * Phase 6, commit: the shadow replaces the namespace's bindings and class
 * versions, then either every prepared new state is written into its object
 * (eager) or the lazy guards go in (lazy, progressive). Input: shadow, plans
 * and prepared states; output: what was committed, which rollback.ts can
 * revert later. Undo: if anything throws part-way, the objects already
 * rewritten, the guards and the bindings are restored before the
 * CommitError leaves this phase.
 */
import { CommitError } from "../../errors.js";
import type { ReplaceRecord } from "../../namespace/bulkReplace.js";
import { replaceNamespace } from "../../namespace/bulkReplace.js";
import type { Namespace } from "../../namespace/namespace.js";
import { LazyMigration } from "../lazyCompletion.js";
import type { ApplyProgress } from "../migrationLog.js";
import type { Committed } from "../rollback.js";
import type { UpdateOptions } from "../types.js";
import type { Built } from "./build.js";
import type { Prepared } from "./prepare.js";
import type { Shadowed } from "./shadow.js";

export function commitPhase(
  namespace: Namespace,
  patchName: string,
  { policy }: Built,
  { shadow, plans }: Shadowed,
  { logs, count, dryRun }: Prepared,
  onCommitStep: UpdateOptions["onCommitStep"],
): Committed {
  // A dry run only served the validations: lazy objects migrate at first touch.
  const applied = dryRun ? [] : [...logs];
  const total = dryRun ? 0 : count;
  const lazy = policy === "eager" ? undefined : new LazyMigration(namespace, patchName, plans);
  // How far the commit got: every object of the logs before `log`, and `progress` in it.
  let log = 0;
  let before = 0;
  const progress: ApplyProgress = { done: 0, partial: false };
  let record: ReplaceRecord | undefined;
  try {
    record = replaceNamespace(namespace, shadow);
    if (lazy) lazy.install();
    else {
      const onStep = onCommitStep ? (i: number) => onCommitStep(before + i, total) : undefined;
      for (; log < applied.length; log++) {
        applied[log]!.applyAll(progress, onStep);
        before += applied[log]!.length;
      }
    }
  } catch (error) {
    const done = before + progress.done;
    if (record) {
      if (log < applied.length) applied[log]!.revertApplied(progress);
      for (let l = log - 1; l >= 0; l--) {
        applied[l]!.revertApplied({ done: applied[l]!.length, partial: false });
      }
      lazy?.uninstall();
      record.undo();
    }
    if (error instanceof CommitError) throw error;
    throw new CommitError(
      `the commit of patch ${patchName} failed after ${done} of ${total} objects and was undone: ${(error as Error)?.message ?? String(error)}`,
      { patch: patchName, applied: done, total, cause: error },
    );
  }
  return { namespace, plans, applied, migrated: total, lazy, record };
}
