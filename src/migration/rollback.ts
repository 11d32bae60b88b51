/**
 * Rolling a committed update back: every object on the new layout goes back
 * to the old one — the values the migration installed return to what they
 * were, values the program wrote since to fields both versions have are
 * kept — and then the namespace's bindings and class versions.
 */
import type { ReplaceRecord } from "../namespace/bulkReplace.js";
import type { Namespace } from "../namespace/namespace.js";
import { restoreOldLayout } from "./instanceMigration.js";
import type { LazyMigration } from "./lazyCompletion.js";
import type { Plan } from "./migrationPlan.js";
import type { MigrationLog, Retained } from "./migrationLog.js";

export interface Committed {
  readonly namespace: Namespace;
  readonly plans: readonly Plan[];
  /** Eager migrations applied in the commit, one log per plan. */
  readonly applied: readonly MigrationLog[];
  /** How many objects the commit migrated (eager). */
  readonly migrated: number;
  readonly lazy: LazyMigration | undefined;
  readonly record: ReplaceRecord;
}

export function rollBack({ namespace, plans, applied, lazy, record }: Committed): void {
  const retained = new Map<object, Retained>();
  for (const log of [...applied, ...(lazy?.logs ?? [])]) {
    for (let i = 0; i < log.length; i++) retained.set(log.objects[i]!, log.retained(i));
  }
  const guarded = lazy?.pendingPossible ?? false;
  for (const plan of plans) {
    for (const object of namespace.finder.find(plan.prototype)) {
      if (guarded && !lazy!.isMigrated(object)) continue; // still on the old layout
      reverseOne(object, plan, retained.get(object));
    }
  }
  lazy?.release();
  record.undo();
}

function reverseOne(object: object, plan: Plan, retained: Retained | undefined): void {
  const current = object as Record<string, unknown>;
  const keys = retained ? retained.oldKeys : plan.oldFields;
  const values = keys.map((k, i) => {
    const newName = plan.reverse.get(k);
    if (newName !== undefined && Object.hasOwn(current, newName)) {
      // A value the program wrote since the commit is kept; a value the
      // migration itself installed goes back to what it was.
      const installed = retained?.newValues[retained.plan.fields.indexOf(newName)];
      if (!retained || !Object.is(current[newName], installed)) return current[newName];
    }
    if (retained) return retained.oldValues[i];
    return plan.oldDefaults.get(k)?.call(object);
  });
  restoreOldLayout(object, plan, keys, values, retained);
}
