/**
 * Phase 4, prepare: every instance of a migrating class is found and its new
 * state computed (migrators, initialisers, defaults), without touching it.
 * Eager updates need every new state for the commit; lazy and progressive
 * ones compute them only as a dry run, when validations must see the new
 * state, and migrate at first touch instead. Input: the plans; output: the
 * prepared migrations. Undo: nothing live is touched (states are copies).
 */
import { UnswappableObjectError } from "../../errors.js";
import { externalSuperclassOf } from "../../mop/classHandle.js";
import type { Namespace } from "../../namespace/namespace.js";
import { requireNoExternalState } from "../../validation/index.js";
import type { PreparedMigration } from "../instanceMigration.js";
import { prepareMigration } from "../instanceMigration.js";
import type { Plan } from "../migrationPlan.js";
import type { Built } from "./build.js";
import type { Shadowed } from "./shadow.js";

export interface Prepared {
  readonly prepared: readonly PreparedMigration[];
  /** The new states only served the validations: the commit applies none of them. */
  readonly dryRun: boolean;
}

export function preparePhase(namespace: Namespace, built: Built, { plans }: Shadowed): Prepared {
  const { build, policy } = built;
  const dryRun =
    policy !== "eager" &&
    build.namespaceValidations.length + build.instanceValidations.length + build.removed.length > 0;
  const prepared: PreparedMigration[] = [];
  for (const plan of policy === "eager" || dryRun ? plans : []) {
    const external = externalStateCheck(plan);
    namespace.finder.find(plan.prototype).forEach((object, index) => {
      checkRewritable(object, plan, index);
      external?.(object, index);
      prepared.push(prepareMigration(object, plan, index));
    });
  }
  // Lazy updates migrate at first touch, too late to refuse: check now.
  if (policy !== "eager" && !dryRun) {
    for (const plan of plans) {
      const external = externalStateCheck(plan);
      if (external) namespace.finder.find(plan.prototype).forEach(external);
    }
  }
  return { prepared, dryRun };
}

/** For a class extending a class outside the namespace: the check that no instance holds state a migration would delete. */
function externalStateCheck(plan: Plan): ((object: object, index: number) => void) | undefined {
  const external = externalSuperclassOf(plan.handle);
  if (external === null) return undefined;
  const expected = { className: plan.className, external, fields: plan.oldFields };
  return (object, index) => requireNoExternalState(object, index, expected);
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
