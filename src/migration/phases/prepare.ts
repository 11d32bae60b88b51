/**
 * Phase 4, prepare: every instance of a migrating class is found and its new
 * state computed (migrators, initialisers, defaults), without touching it.
 * Eager updates need every new state for the commit; lazy and progressive
 * ones compute them only as a dry run, when validations must see the new
 * state, and migrate at first touch instead. Input: the plans; output: the
 * prepared migrations. Undo: nothing live is touched (states are copies).
 */
import { UnswappableObjectError } from "../../errors.js";
import type { Namespace } from "../../namespace/namespace.js";
import type { PreparedMigration } from "../instanceMigration.js";
import { prepareMigration } from "../instanceMigration.js";
import type { Plan } from "../migrationPlan.js";
import { LiveStateWitness } from "../sideEffects.js";
import type { Built } from "./build.js";
import type { Shadowed } from "./shadow.js";

export interface Prepared {
  readonly prepared: readonly PreparedMigration[];
  /** The new states only served the validations: the commit applies none of them. */
  readonly dryRun: boolean;
  /** What migration code must not have written, when it ran (checked after the validations). */
  readonly witness: LiveStateWitness | undefined;
}

export function preparePhase(namespace: Namespace, built: Built, { plans }: Shadowed): Prepared {
  const { build, policy } = built;
  const dryRun =
    policy !== "eager" &&
    build.namespaceValidations.length + build.instanceValidations.length + build.removed.length > 0;
  const prepared: PreparedMigration[] = [];
  const active = policy === "eager" || dryRun ? plans : [];
  const found = active.map((plan) => namespace.finder.find(plan.prototype));
  // Only migration code can write where it should not (sideEffects.ts).
  const witness = active.some((p) => p.needsOldView)
    ? new LiveStateWitness(namespace, found)
    : undefined;
  try {
    active.forEach((plan, p) => {
      found[p]!.forEach((object, index) => {
        checkRewritable(object, plan, index);
        prepared.push(prepareMigration(object, plan, index));
      });
    });
  } catch (error) {
    witness?.restore();
    throw error;
  }
  return { prepared, dryRun, witness };
}

function checkRewritable(object: object, plan: Plan, index: number): void {
  if (!Object.isExtensible(object)) {
    const what = Object.isFrozen(object)
      ? "frozen"
      : Object.isSealed(object)
        ? "sealed"
        : "not extensible";
    throw new UnswappableObjectError(
      `${plan.className} instance #${index} is ${what} and cannot be migrated in place; hold it through an instance handle`,
      { className: plan.className, index, object },
    );
  }
}
