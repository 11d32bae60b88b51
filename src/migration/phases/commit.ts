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
import { applyMigration, revertMigration } from "../instanceMigration.js";
import { LazyMigration } from "../lazyCompletion.js";
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
  { prepared, dryRun }: Prepared,
  onCommitStep: UpdateOptions["onCommitStep"],
): Committed {
  // A dry run only served the validations: lazy objects migrate at first touch.
  const applied = dryRun ? [] : [...prepared];
  const lazy = policy === "eager" ? undefined : new LazyMigration(namespace, patchName, plans);
  let done = 0;
  let record: ReplaceRecord | undefined;
  try {
    record = replaceNamespace(namespace, shadow);
    if (lazy) lazy.install();
    else {
      for (; done < applied.length; done++) {
        onCommitStep?.(done, applied.length);
        applyMigration(applied[done]!);
      }
    }
  } catch (error) {
    if (record) {
      for (let i = done - 1; i >= 0; i--) revertMigration(applied[i]!);
      lazy?.uninstall();
      record.undo();
    }
    if (error instanceof CommitError) throw error;
    throw new CommitError(
      `the commit of patch ${patchName} failed after ${done} of ${applied.length} objects and was undone: ${(error as Error)?.message ?? String(error)}`,
      { patch: patchName, applied: done, total: applied.length, cause: error },
    );
  }
  return { namespace, plans, applied, lazy, record };
}
