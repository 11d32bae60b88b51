/**
 * Rolling a committed update back: every object on the new layout goes back
 * to the old one — the values the migration installed return to what they
 * were, values the program wrote since to fields both versions have are
 * kept — and then the namespace's bindings and class versions.
 */
import type { ReplaceRecord } from "../namespace/bulkReplace.js";
import type { Namespace } from "../namespace/namespace.js";
import type { PreparedMigration } from "./instanceMigration.js";
import { restoreOldLayout, revertMigration } from "./instanceMigration.js";
import type { LazyMigration } from "./lazyCompletion.js";
import type { Plan } from "./migrationPlan.js";

export interface Committed {
  readonly namespace: Namespace;
  readonly plans: readonly Plan[];
  /** Eager migrations applied in the commit. */
  readonly applied: PreparedMigration[];
  readonly lazy: LazyMigration | undefined;
  readonly record: ReplaceRecord;
}

/**
 * `exact`: every migrated object gets exactly its state from before the
 * update, even values written since the commit — what an afterCommit hook
 * that failed wrote is undone with the update, inside the same pause.
 */
export function rollBack(
  { namespace, plans, applied, lazy, record }: Committed,
  { exact = false }: { readonly exact?: boolean } = {},
): void {
  const retained = new Map<object, PreparedMigration>();
  for (const p of applied) retained.set(p.object, p);
  for (const p of lazy?.done ?? []) retained.set(p.object, p);
  const guarded = lazy?.pendingPossible ?? false;
  for (const plan of plans) {
    for (const object of namespace.finder.find(plan.prototype)) {
      if (guarded && !lazy!.isMigrated(object)) continue; // still on the old layout
      reverseOne(object, plan, retained.get(object), exact);
    }
  }
  lazy?.release();
  record.undo();
}

function reverseOne(
  object: object,
  plan: Plan,
  retained: PreparedMigration | undefined,
  exact: boolean,
): void {
  const current = object as Record<string, unknown>;
  const keys = retained ? retained.oldKeys : plan.oldFields;
  if (retained && exact) {
    revertMigration(retained);
    return;
  }
  const values = keys.map((k, i) => {
    const newName = plan.reverse.get(k);
    if (newName !== undefined && Object.hasOwn(current, newName)) {
      // A value the program wrote since the commit is kept; a value the
      // migration itself installed goes back to what it was.
      const installed = retained?.newValues[retained.plan.fields.indexOf(newName)];
      if (!retained || !Object.is(current[newName], installed)) return current[newName];
    }
    // A field a split moved out comes back from the object that holds it now
    // (an object made since the commit has no other record of it).
    const moved = plan.reverseSplit.get(k);
    const holder = moved !== undefined ? current[moved.via] : undefined;
    if (
      moved !== undefined &&
      typeof holder === "object" &&
      holder !== null &&
      Object.hasOwn(holder, moved.to)
    ) {
      const value = (holder as Record<string, unknown>)[moved.to];
      if (!retained || !Object.is(value, retained.oldValues[i])) return value;
    }
    if (retained) return retained.oldValues[i];
    return plan.oldDefaults.get(k)?.call(object);
  });
  restoreOldLayout(object, plan, keys, values, retained);
}
