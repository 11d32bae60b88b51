/**
 * Phase 5, validate: the patch's namespace and instance validations, the
 * migrated objects' conformance and the references to removed classes are
 * checked against the new world — the shadow's bindings and the prepared
 * new states (copies), never the live objects' old state. Input: build,
 * shadow, prepared states; output: the report, or a ValidationError naming
 * the live objects. Undo: nothing live is touched.
 */
import { UnknownBindingError } from "../../errors.js";
import { stablePrototype } from "../../mop/classHandle.js";
import type { Namespace } from "../../namespace/namespace.js";
import { bindingValue } from "../../namespace/namespace.js";
import type { ValidationWorld } from "../../patch/operations.js";
import {
  runInstanceValidations,
  runNamespaceValidations,
  validateConformance,
  validateRemovedClassReferences,
} from "../../validation/index.js";
import type { ValidationFailure, ValidationReport } from "../../validation/report.js";
import { makeReport } from "../../validation/report.js";
import { ancestry } from "../changes.js";
import type { PreparedMigration } from "../instanceMigration.js";
import { expectedFields } from "../instanceMigration.js";
import { refuse } from "../refusal.js";
import { SYSTEM_RULES } from "../../validation/systemRules.js";
import type { Built } from "./build.js";
import type { Prepared } from "./prepare.js";
import type { Shadowed } from "./shadow.js";

export function validatePhase(
  namespace: Namespace,
  patchName: string,
  built: Built,
  { shadow }: Shadowed,
  { logs, count }: Prepared,
): ValidationReport {
  // Validations see shadow copies, which only objects on the general path have.
  const prepared = logs.flatMap((log) => [...log.general.values()]);
  const { build } = built;
  // Nothing to check (a methods-only update, say): no world to build for validations.
  if (
    prepared.length === 0 &&
    build.removed.length === 0 &&
    build.namespaceValidations.length === 0 &&
    build.instanceValidations.length === 0
  )
    return makeReport([], 1, count);
  const failures: ValidationFailure[] = [];
  const copiesByClass = conformance(prepared, failures);
  const originals = new Map<object, object>();
  const world = newWorld(namespace, built, shadow, copiesByClass, originals);
  let rulesRun = 1;
  if (build.removed.length > 0) {
    rulesRun++;
    failures.push(...removedClassReferences(namespace, built, shadow, world));
  }
  rulesRun += build.namespaceValidations.length + build.instanceValidations.length;
  failures.push(...runNamespaceValidations(build.namespaceValidations, world));
  const instanceChecks = runInstanceValidations(build.instanceValidations, world);
  failures.push(...instanceChecks.failures);
  const named = namingLiveObjects(failures, prepared, originals);
  const report = makeReport(named, rulesRun, count + instanceChecks.instancesChecked);
  if (!report.ok)
    refuse(`patch ${patchName} failed validation`, named, rulesRun, report.instancesChecked);
  return report;
}

/** Groups the new states by class; migrated states must conform to their class. */
function conformance(
  prepared: readonly PreparedMigration[],
  failures: ValidationFailure[],
): Map<string, object[]> {
  const copiesByClass = new Map<string, object[]>();
  for (const p of prepared) {
    if (!p.copy) continue;
    const list = copiesByClass.get(p.plan.className) ?? [];
    list.push(p.copy);
    copiesByClass.set(p.plan.className, list);
    if (p.plan.migrators.length > 0) {
      failures.push(
        ...validateConformance(p.copy, {
          className: p.plan.className,
          fields: expectedFields(p),
          prototype: p.plan.copyPrototype,
          unseen: p.plan.unseen,
        }),
      );
      // A method turned into state no migration can compute (methodsBecomingState.ts):
      // the migrator must set it, or the object ends with neither.
      for (const field of p.plan.stateFromMethods ?? []) {
        if (Object.hasOwn(p.copy, field)) continue;
        failures.push({
          rule: SYSTEM_RULES.conformance,
          className: p.plan.className,
          field,
          object: p.copy,
          message: `a ${p.plan.className} instance has no \`${field}\`: the new version turns the method ${field}() into state its constructor computes, and the migrator did not set it`,
        });
      }
    }
  }
  return copiesByClass;
}

/** What validations see: the shadow's bindings, and the new states of instances. */
function newWorld(
  namespace: Namespace,
  { defs }: Built,
  shadow: Shadowed["shadow"],
  copiesByClass: Map<string, object[]>,
  originals: Map<object, object>,
): ValidationWorld {
  return {
    lookup: (name) => (shadow.has(name) ? shadow.lookup(name) : undefined),
    instancesOf: (className) => {
      // An unknown name (a typo, the old name of a class the patch renames)
      // made every rule over it pass on no objects: the rule now throws,
      // and the update is refused naming it, as a hook's ctx.instancesOf does.
      if (!defs.has(className)) {
        throw new UnknownBindingError(
          `instancesOf("${className}"): the namespace as this update leaves it has no class "${className}" (its classes: ${[...defs.keys()].join(", ")})`,
          { namespace: namespace.name, binding: className },
        );
      }
      const names = [...defs.keys()].filter((n) => ancestry(n, defs).includes(className));
      return names.flatMap((n) => {
        if (!copiesByClass.has(n)) {
          // Instances of a class that does not migrate are shown as copies
          // too: a validation never gets hold of a live object.
          const live = namespace.finder.find(stablePrototype(shadow.classNamed(n)));
          copiesByClass.set(
            n,
            live.map((o) => copyOf(o, originals)),
          );
        }
        return copiesByClass.get(n)!;
      });
    },
  };
}

/** A shallow copy of `object` on its prototype (own properties with their descriptors). */
function copyOf(object: object, originals: Map<object, object>): object {
  const copy = Object.create(Object.getPrototypeOf(object)) as object;
  for (const key of Reflect.ownKeys(object))
    Object.defineProperty(copy, key, Reflect.getOwnPropertyDescriptor(object, key)!);
  originals.set(copy, object);
  return copy;
}

function removedClassReferences(
  namespace: Namespace,
  { build, defs }: Built,
  shadow: Shadowed["shadow"],
  world: ValidationWorld,
): ValidationFailure[] {
  const removed = new Map(
    build.removed.map((name) => {
      const handle = namespace.classNamed(name);
      return [name, { handle, prototypes: [stablePrototype(handle)] }] as const;
    }),
  );
  // Class bindings are left out: until the commit their prototype chains
  // are the old ones, and a class still extending a removed one is
  // already refused as an unknown superclass.
  const bindings = new Map(
    Object.values(shadow.snapshot.bindings)
      .filter((b) => b.kind !== "class")
      .map((b) => [b.name, bindingValue(b)] as const),
  );
  const survivors = [...defs.keys()].flatMap((n) => world.instancesOf(n) as object[]);
  return validateRemovedClassReferences({ removed, bindings, instances: survivors });
}

/** Validations saw shadow copies; the report names the live objects. */
function namingLiveObjects(
  failures: readonly ValidationFailure[],
  prepared: readonly PreparedMigration[],
  originals: Map<object, object>,
): ValidationFailure[] {
  if (failures.length > 0) for (const p of prepared) if (p.copy) originals.set(p.copy, p.object);
  return failures.map((f) =>
    f.object && originals.has(f.object) ? { ...f, object: originals.get(f.object)! } : f,
  );
}
