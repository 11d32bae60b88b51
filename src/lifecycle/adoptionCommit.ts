/**
 * Committing a cooperative update (see privateState.ts): the new versions go
 * in, and each live object is adopted — new private fields installed, public
 * fields rewritten, the exported state imported — or, on any failure, every
 * object and the namespace go back as they were.
 */
import { CommitError } from "../errors.js";
import { rewriteFields } from "../migration/instanceMigration.js";
import type { ReplaceRecord } from "../namespace/bulkReplace.js";
import { replaceNamespace } from "../namespace/bulkReplace.js";
import type { Namespace } from "../namespace/namespace.js";
import { cloneNamespace } from "../namespace/shadow.js";
import { constructOnto } from "./adoptable.js";
import type { AdoptionPlan } from "./adoptionPlan.js";
import { versionConstructor } from "./versionConstructor.js";

/** One adopted object, with its public layout before the commit (what rollback restores). */
export interface Adopted {
  readonly object: object;
  readonly plan: AdoptionPlan;
  readonly oldKeys: readonly string[];
  readonly oldValues: readonly unknown[];
}

function adoptOne(plan: AdoptionPlan, object: object, state: unknown): Adopted {
  const record = object as Record<string, unknown>;
  const oldKeys = Object.keys(object);
  const oldValues = oldKeys.map((k) => record[k]);
  const adopted: Adopted = { object, plan, oldKeys, oldValues };
  if (plan.adopt) constructOnto(plan.implementation, object);
  const values = plan.fields.map((field) => {
    const from = plan.origins.get(field)!;
    const i = oldKeys.indexOf(from);
    return i >= 0 ? oldValues[i] : record[field];
  });
  rewriteFields(object, Object.keys(object), plan.fields, values);
  if (plan.importHook) Reflect.apply(plan.importHook, plan.implementation, [object, state]);
  return adopted;
}

function restorePublic(a: Adopted): void {
  rewriteFields(a.object, Object.keys(a.object), a.oldKeys, a.oldValues);
}

/**
 * Installs the new versions and adopts every planned instance, all or
 * nothing; a failure is a CommitError after everything was undone.
 */
export function commitAdoptions(
  namespace: Namespace,
  patchName: string,
  plans: readonly AdoptionPlan[],
): { record: ReplaceRecord; adopted: Adopted[] } {
  const shadow = cloneNamespace(namespace);
  for (const p of plans) {
    shadow.changeClass(
      p.className,
      p.definition,
      versionConstructor(p.handle, p.implementation, p.className),
    );
  }
  const adopted: Adopted[] = [];
  try {
    const record = replaceNamespace(namespace, shadow);
    try {
      for (const p of plans) {
        p.instances.forEach((object, i) => {
          adopted.push(adoptOne(p, object, p.exported[i]));
        });
      }
    } catch (error) {
      for (let i = adopted.length - 1; i >= 0; i--) restorePublic(adopted[i]!);
      record.undo();
      throw error;
    }
    return { record, adopted };
  } catch (error) {
    throw new CommitError(
      `the cooperative update of ${plans.map((p) => p.className).join(", ")} (patch ${patchName}) failed after ${adopted.length} objects and was undone: ${(error as Error)?.message ?? String(error)}`,
      { patch: patchName, applied: adopted.length, cause: error },
    );
  }
}
