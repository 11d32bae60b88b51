/**
 * Rolling a cooperative update back (see `AdoptionResult.rollback` in
 * privateState.ts): refused with nothing changed when objects made by the new
 * version cannot be given the old private fields, or when the namespace
 * cannot go back; otherwise private state goes back through the hooks where
 * both exist and public fields return to the old layout, keeping values
 * written since the commit.
 *
 * Everything that can refuse is asked before the first write: the namespace
 * (`undoRefusal`), then every export hook and every field the rollback reads.
 * What throws after that (an import hook, a rewrite an object refuses) puts
 * every object back as it was before the rollback, and the namespace stays:
 * the objects were rewritten, then the undo at the end refused, and the
 * program was left half rolled back, the new classes over the old layout.
 */
import { RollbackError } from "../errors.js";
import { stablePrototype } from "../mop/classHandle.js";
import { whileBusy } from "../migration/exclusive.js";
import { rewriteFields } from "../migration/instanceMigration.js";
import type { ReplaceRecord } from "../namespace/bulkReplace.js";
import { undoRefusal } from "../namespace/bulkReplace.js";
import type { Namespace } from "../namespace/namespace.js";
import { holdBindings } from "../namespace/snapshotHistory.js";
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

/** One object's way back, read before anything is written. */
interface Revert {
  readonly object: object;
  readonly className: string;
  /** The old version's import hook and what the new version exported, where both hooks exist. */
  readonly back:
    | { readonly hook: ImportHook; readonly owner: Function; readonly state: unknown }
    | undefined;
  readonly keys: readonly string[];
  readonly values: readonly unknown[];
  /** Its public fields as the rollback found them (what a failure puts back). */
  readonly now: readonly (readonly [string, PropertyDescriptor])[];
}

function fieldsNow(object: object): (readonly [string, PropertyDescriptor])[] {
  return Object.keys(object).map((key) => [key, Reflect.getOwnPropertyDescriptor(object, key)!]);
}

function revertOfAdopted(a: Adopted, reverse: ReadonlyMap<string, string>): Revert {
  const { object, plan: p } = a;
  const now = fieldsNow(object);
  const current = object as Record<string, unknown>;
  const hook = ownHook<ImportHook>(p.oldImplementation, IMPORT_HOOK);
  const forth = ownHook<ExportHook>(p.implementation, EXPORT_HOOK);
  const back =
    hook && forth
      ? {
          hook,
          owner: p.oldImplementation,
          state: Reflect.apply(forth, p.implementation, [object]),
        }
      : undefined;
  const values = a.oldKeys.map((k, i) => {
    const field = reverse.get(k);
    return field !== undefined && Object.hasOwn(current, field) ? current[field] : a.oldValues[i];
  });
  return { object, className: p.className, back, keys: a.oldKeys, values, now };
}

/** Objects the new version made since the commit take the old layout too. */
function revertsOfMadeSince(
  namespace: Namespace,
  plans: readonly AdoptionPlan[],
  known: ReadonlySet<object>,
): Revert[] {
  const reverts: Revert[] = [];
  for (const p of plans) {
    const reverse = reverseOrigins(p);
    const keys = p.oldDefinition.fields.map((f) => f.name);
    for (const object of namespace.finder.find(stablePrototype(p.handle))) {
      if (known.has(object)) continue;
      const now = fieldsNow(object);
      const current = object as Record<string, unknown>;
      const values = keys.map((k) => {
        const field = reverse.get(k);
        return field !== undefined ? current[field] : undefined;
      });
      reverts.push({ object, className: p.className, back: undefined, keys, values, now });
    }
  }
  return reverts;
}

function write({ object, back, keys, values }: Revert): void {
  if (back) Reflect.apply(back.hook, back.owner, [object, back.state]);
  rewriteFields(object, Object.keys(object), keys, values);
}

/** Puts `object`'s public fields back as they were found: keys, order and descriptors. */
function restore({ object, now }: Revert): void {
  const keys = Object.keys(object);
  let same = 0;
  while (same < keys.length && same < now.length && keys[same] === now[same]![0]) same++;
  for (let i = keys.length - 1; i >= same; i--) Reflect.deleteProperty(object, keys[i]!);
  for (const [key, descriptor] of now) Reflect.defineProperty(object, key, descriptor);
}

/** A rollback under way, by its record: one its own hooks start again is refused. */
const rollingBack = new WeakSet<ReplaceRecord>();

export function rollbackAdoptions(
  namespace: Namespace,
  patchName: string,
  plans: readonly AdoptionPlan[],
  adopted: readonly Adopted[],
  record: ReplaceRecord,
): void {
  if (rollingBack.has(record)) {
    throw new RollbackError(
      `update ${patchName} is being rolled back already (rollback() was called by code that rollback runs); nothing more was rolled back`,
      { patch: patchName },
    );
  }
  const known = new Set(adopted.map((a) => a.object));
  checkMadeSince(namespace, patchName, plans, known);
  const unrestorable = undoRefusal(record);
  if (unrestorable !== undefined) {
    throw new RollbackError(
      `update ${patchName} cannot be rolled back: ${unrestorable.message}; nothing was rolled back`,
      { patch: patchName, cause: unrestorable },
    );
  }
  rollingBack.add(record);
  try {
    // Updates (MM_NESTED_UPDATE) and bindings (MM_ROLLBACK) started by the
    // hooks and accessors the rollback runs are refused: either would move
    // the namespace on, and the undo at the end would be refused.
    whileBusy(namespace, `the rollback of ${patchName}`, () =>
      namespace[holdBindings](`the rollback of update ${patchName}`, () =>
        rollBackHeld(namespace, patchName, plans, adopted, known, record),
      ),
    );
  } finally {
    rollingBack.delete(record);
  }
}

function rollBackHeld(
  namespace: Namespace,
  patchName: string,
  plans: readonly AdoptionPlan[],
  adopted: readonly Adopted[],
  known: ReadonlySet<object>,
  record: ReplaceRecord,
): void {
  let reverts: Revert[];
  try {
    const reverse = new Map(plans.map((p) => [p, reverseOrigins(p)]));
    reverts = adopted.map((a) => revertOfAdopted(a, reverse.get(a.plan)!));
    reverts.push(...revertsOfMadeSince(namespace, plans, known));
  } catch (error) {
    throw refused(patchName, "reading the objects back", error);
  }
  let at = 0;
  try {
    for (; at < reverts.length; at++) write(reverts[at]!);
    // Asked again: code the writes ran may have moved the namespace on (replaceNamespace).
    record.undo();
  } catch (error) {
    for (let i = Math.min(at, reverts.length - 1); i >= 0; i--) restore(reverts[i]!);
    const object = reverts[at];
    throw refused(patchName, object ? `a ${object.className} object` : "the undo", error);
  }
}

function refused(patchName: string, where: string, error: unknown): RollbackError {
  return new RollbackError(
    `update ${patchName} cannot be rolled back: ${where} threw (${(error as Error)?.message ?? String(error)}); every object was put back as it was, nothing was rolled back`,
    { patch: patchName, cause: error },
  );
}
