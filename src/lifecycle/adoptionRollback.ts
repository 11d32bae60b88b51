/**
 * Rolling a cooperative update back (see `AdoptionResult.rollback` in
 * privateState.ts): refused with nothing changed when objects made by the new
 * version cannot be given the old private fields; otherwise private state
 * goes back through the hooks where both exist and public fields return to
 * the old layout, keeping values written since the commit.
 */
import { RollbackError } from "../errors.js";
import { stablePrototype } from "../mop/classHandle.js";
import { rewriteFields } from "../migration/instanceMigration.js";
import type { ReplaceRecord } from "../namespace/bulkReplace.js";
import type { Namespace } from "../namespace/namespace.js";
import type { ExportHook, ImportHook } from "./adoptable.js";
import { EXPORT_HOOK, IMPORT_HOOK, ownHook } from "./adoptable.js";
import type { Adopted } from "./adoptionCommit.js";
import type { AdoptionPlan } from "./adoptionPlan.js";

/** Old field → the new field its value now lives in. */
function reverseOrigins(plan: AdoptionPlan): Map<string, string> {
  return new Map([...plan.origins].map(([to, from]) => [from, to] as const));
}

/** Throws when objects the new version made since the commit lack the old private fields. */
function checkMadeSince(
  namespace: Namespace,
  patchName: string,
  plans: readonly AdoptionPlan[],
  known: ReadonlySet<object>,
): void {
  for (const p of plans) {
    if (!p.oldDefinition.hasPrivateMembers) continue;
    const made = namespace.finder.find(stablePrototype(p.handle)).filter((o) => !known.has(o));
    if (made.length > 0) {
      throw new RollbackError(
        `${made.length} ${p.className} objects were made by the new version since the commit; they lack the old version's private fields, so update ${patchName} cannot be rolled back`,
        { patch: patchName, className: p.className, objects: made.length },
      );
    }
  }
}

function revertAdopted(a: Adopted): void {
  const { object, plan: p } = a;
  const current = object as Record<string, unknown>;
  const back = ownHook<ImportHook>(p.oldImplementation, IMPORT_HOOK);
  const forth = ownHook<ExportHook>(p.implementation, EXPORT_HOOK);
  if (back && forth)
    Reflect.apply(back, p.oldImplementation, [
      object,
      Reflect.apply(forth, p.implementation, [object]),
    ]);
  const reverse = reverseOrigins(p);
  const values = a.oldKeys.map((k, i) => {
    const now = reverse.get(k);
    return now !== undefined && Object.hasOwn(current, now) ? current[now] : a.oldValues[i];
  });
  rewriteFields(object, Object.keys(object), a.oldKeys, values);
}

/** Objects the new version made since the commit take the old layout too. */
function revertMadeSince(
  namespace: Namespace,
  plans: readonly AdoptionPlan[],
  known: ReadonlySet<object>,
): void {
  for (const p of plans) {
    const reverse = reverseOrigins(p);
    const oldFields = p.oldDefinition.fields.map((f) => f.name);
    for (const object of namespace.finder.find(stablePrototype(p.handle))) {
      if (known.has(object)) continue;
      const current = object as Record<string, unknown>;
      const values = oldFields.map((k) => {
        const now = reverse.get(k);
        return now !== undefined ? current[now] : undefined;
      });
      rewriteFields(object, Object.keys(object), oldFields, values);
    }
  }
}

export function rollbackAdoptions(
  namespace: Namespace,
  patchName: string,
  plans: readonly AdoptionPlan[],
  adopted: readonly Adopted[],
  record: ReplaceRecord,
): void {
  const known = new Set(adopted.map((a) => a.object));
  checkMadeSince(namespace, patchName, plans, known);
  for (const a of adopted) revertAdopted(a);
  revertMadeSince(namespace, plans, known);
  record.undo();
}
