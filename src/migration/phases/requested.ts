/**
 * The namespace version an `update()` was asked for, checked at its pause.
 *
 * `update()` lets the program run between its call and its pause (it finds
 * the instances and builds ahead, phases/find.ts), and the namespace may
 * change meanwhile. Moving on keeps the update: a class defined, another
 * update committed, an earlier lazy update completed — the pause builds the
 * patch against what is live, and refuses it there if it no longer fits.
 * Going back does not: a patch is written for the version it was requested
 * on (a field an earlier update renamed, a method it added), and once that
 * version is rolled back — by `rollback()`, an undone `replaceNamespace`,
 * or an earlier lazy update whose migration failed at a first touch — the build
 * found the old names again and committed the patch over the world it was
 * not written for (review advZ12: every object answered `undefined`). Had
 * the same failure come in the pause, completing the earlier update first,
 * the update was refused; now it is refused either way, before anything
 * changes.
 */
import { StaleShadowError } from "../../errors.js";
import type { Namespace, NamespaceSnapshot } from "../../namespace/namespace.js";

/**
 * Throws StaleShadowError when `requested` (the namespace's snapshot when
 * the update was called) was rolled back since: it is neither live nor an
 * ancestor of the live one. Not by version number: a rollback and another
 * commit bring the number back with another world.
 */
export function refuseIfRolledBack(
  namespace: Namespace,
  patch: string,
  requested: NamespaceSnapshot,
): void {
  const live = namespace.snapshot;
  if (live === requested) return;
  // The history is the live snapshot's ancestry: a commit pushes, a rollback pops.
  const history = namespace.history;
  if (history.includes(requested)) return;
  // Forgotten (forgetHistoryBefore) rather than popped: a rollback cannot go
  // below what is kept, so what is live now came after it. Whether it was
  // rolled back before it was forgotten cannot be told; the build checks the
  // patch against what is live, as for any move on.
  if (history[0]!.version > requested.version) return;
  throw new StaleShadowError(
    `update ${patch} was not applied: it was requested on version ${requested.version} of namespace ${namespace.name}, and that version was rolled back before its pause (by a rollback, or by an earlier lazy update that could not migrate an object at a first touch; version ${live.version}${live.version >= requested.version ? ", committed since," : ""} is live now): the patch was written for a version that no longer runs. Nothing changed; apply it again if it fits the version now live`,
    {
      patch,
      namespace: namespace.name,
      requestedVersion: requested.version,
      version: live.version,
    },
  );
}
