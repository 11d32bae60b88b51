/**
 * Private `#` state across an update, by cooperation.
 *
 * Reflection cannot see private fields, and methods of a new class version
 * throw on objects that lack the new version's private "brand". Two things
 * make an update possible anyway (DESIGN.md):
 *
 * - **Export**: only code written inside the old class can read its private
 *   fields, so the old version must carry a hook, `static
 *   metamorphExport(instance)`, returning the instance's private state in a
 *   format the class declares. A class that will ever need a live update of
 *   its private state ships this hook.
 * - **Install**: a derived class's field initialisers run on whatever object
 *   its base constructor returns (the "return override"). The new version
 *   extends `Adoptable`, whose constructor returns the existing object while
 *   metamorph adopts it, so `Reflect.construct(NewVersion)` installs the new
 *   version's private fields (and brand) on the live object, keeping its
 *   identity. The new version's `static metamorphImport(instance, state)`
 *   then writes the exported state into them.
 *
 * Public fields follow names (and the operation's `renames`) as in any
 * `replaceImplementation`; new public fields take the value the new
 * version's initialisers gave them. The old version's private fields stay on
 * each object (nothing can remove them) but no code reads them any more; they
 * are freed with the object.
 *
 * The whole update is one synchronous block: every check and every export
 * runs before anything changes, and a failure part-way through adoption
 * restores every object's public fields and the class as they were (the new
 * version's brand cannot be removed from objects adopted before the failure;
 * it is invisible, but the same class object cannot adopt them twice, so a
 * retry needs the new version evaluated afresh — said so up front).
 *
 * Scope: a root class (no managed superclass) without managed subclasses;
 * eager only (a lazily migrated object would meet new methods before it has
 * their brand). The adopting constructor runs with no arguments; code in it
 * that must not run for an existing object checks `Adoptable.isAdopting(this)`.
 */
import { performance } from "node:perf_hooks";
import { CommitError, RollbackError } from "../errors.js";
import { stablePrototype } from "../mop/classHandle.js";
import { readClassDefinition } from "../mop/readClassDefinition.js";
import type { ReplaceRecord } from "../namespace/bulkReplace.js";
import type { Namespace } from "../namespace/namespace.js";
import type { UpdateEvent } from "../migration/update.js";
import { extendsAdoptable } from "./adoptable.js";
import type { Adopted } from "./adoptionCommit.js";
import { commitAdoptions } from "./adoptionCommit.js";
import type { AdoptionPlan, ReplaceImplementation } from "./adoptionPlan.js";
import { planAdoption } from "./adoptionPlan.js";
import { rollbackAdoptions } from "./adoptionRollback.js";

export { Adoptable, EXPORT_HOOK, IMPORT_HOOK } from "./adoptable.js";

/**
 * Whether a replaceImplementation needs the cooperative path: the old
 * version has private members, or the new one has them or extends Adoptable.
 */
export function needsAdoption(namespace: Namespace, op: ReplaceImplementation): boolean {
  if (!namespace.has(op.className)) return false;
  const binding = namespace.binding(op.className);
  if (binding.kind !== "class") return false;
  if (binding.definition.hasPrivateMembers) return true;
  const impl = op.implementation.fn;
  if (typeof impl !== "function") return false;
  if (extendsAdoptable(impl)) return true;
  return readClassDefinition(impl).hasPrivateMembers;
}

export interface AdoptionResult {
  readonly classes: readonly string[];
  readonly instancesAdopted: number;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** How long the program could not run (ms): checks, exports and the commit, one synchronous block. */
  readonly pauseMs: number;
  readonly state: () => "committed" | "permanent" | "rolled-back";
  /**
   * Reverts to the old versions. Public values written since the commit to
   * fields both versions have are kept. Private state goes back through the
   * hooks the other way round when the old version has `metamorphImport` and
   * the new one `metamorphExport`; otherwise the old private fields hold what
   * they held at the commit. Refused (nothing changed) if objects were made by
   * the new version since the commit and the old version cannot adopt them.
   */
  rollback(): void;
  /** Drops what rollback needs. */
  makePermanent(): void;
  /** Live objects that still carry a retired version's private fields (freed with the objects). */
  retiredPrivateState(): number;
}

type AdoptionState = ReturnType<AdoptionResult["state"]>;

/** The handle on a committed cooperative update: its state, rollback and making it permanent. */
function adoptionResult(
  namespace: Namespace,
  patchName: string,
  plans: readonly AdoptionPlan[],
  committed: { record: ReplaceRecord; adopted: Adopted[] },
  versions: { fromVersion: number; toVersion: number; pauseMs: number },
): AdoptionResult {
  const { record, adopted } = committed;
  const { toVersion } = versions;
  let state: AdoptionState = "committed";
  const retired = new WeakSet<object>();
  for (const a of adopted) if (a.plan.oldDefinition.hasPrivateMembers) retired.add(a.object);
  return {
    classes: plans.map((p) => p.className),
    instancesAdopted: adopted.length,
    ...versions,
    state: () => state,
    retiredPrivateState: () =>
      plans.reduce(
        (n, p) =>
          n + namespace.finder.find(stablePrototype(p.handle)).filter((o) => retired.has(o)).length,
        0,
      ),
    makePermanent() {
      if (state !== "committed")
        throw new RollbackError(`update ${patchName} is already ${state}`, { patch: patchName });
      state = "permanent";
      adopted.length = 0;
    },
    rollback() {
      if (state !== "committed") {
        throw new RollbackError(`update ${patchName} is ${state} and cannot be rolled back`, {
          patch: patchName,
          state,
        });
      }
      if (namespace.version !== toVersion) {
        throw new RollbackError(
          `update ${patchName} was followed by another update (namespace ${namespace.name} is at version ${namespace.version}); roll that back first`,
          { patch: patchName },
        );
      }
      rollbackAdoptions(namespace, patchName, plans, adopted, record);
      state = "rolled-back";
    },
  };
}

/**
 * Applies replaceImplementation operations that need cooperation for private
 * state, all or nothing, in one synchronous block.
 */
export function applyAdoptions(
  namespace: Namespace,
  patchName: string,
  operations: readonly ReplaceImplementation[],
  onEvent?: (event: UpdateEvent) => void,
): AdoptionResult {
  const t0 = performance.now();
  const emit = (
    phase: UpdateEvent["phase"],
    status: UpdateEvent["status"],
    detail?: Record<string, unknown>,
  ) =>
    onEvent?.({
      phase,
      status,
      patch: patchName,
      ms: performance.now() - t0,
      ...(detail ? { detail } : {}),
    });
  emit("migrate", "start", { cooperative: true });
  let plans: AdoptionPlan[];
  try {
    plans = operations.map((op, i) => planAdoption(namespace, op, i));
  } catch (error) {
    emit("migrate", "failed", { error: (error as Error)?.message });
    throw error;
  }
  emit("commit", "start");
  const fromVersion = namespace.version;
  let committed: ReturnType<typeof commitAdoptions>;
  try {
    committed = commitAdoptions(namespace, patchName, plans);
  } catch (error) {
    // The event names what failed (the CommitError's cause), as the error's details do.
    const cause = error instanceof CommitError ? error.details.cause : error;
    emit("commit", "failed", { error: (cause as Error)?.message });
    throw error;
  }
  const pauseMs = performance.now() - t0;
  emit("commit", "end", { migrated: committed.adopted.length });
  return adoptionResult(namespace, patchName, plans, committed, {
    fromVersion,
    toVersion: namespace.version,
    pauseMs,
  });
}
