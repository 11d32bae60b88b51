/**
 * Validity: no validation refuses the update, and every validation of the
 * patch also holds on the live migrated objects (validations ran on shadow
 * copies before the commit).
 */
import { MigrationError } from "../../errors.js";
import type { Namespace } from "../../namespace/namespace.js";
import type { Patch } from "../../patch/patch.js";
import type { ValidationWorld } from "../../patch/operations.js";
import { ValidationError } from "../../validation/report.js";
import { reachableObjects } from "../snapshot.js";
import type { LiveWorld } from "../world/types.js";
import type { PropertyKit } from "./kit.js";
import { attempt, fail, settle } from "./running.js";
import type { PropertyDefinition } from "./types.js";
import { CHECKED, PROPERTY_DESCRIPTIONS, vacuous } from "./types.js";
import { describeError, label, validationText } from "./wording.js";

export function validity({ patch, build, plain }: PropertyKit): PropertyDefinition {
  return {
    name: "validity",
    description: PROPERTY_DESCRIPTIONS.validity,
    arbitrary: plain,
    async check({ world }) {
      const live = build(world);
      const out = attempt(live.namespace, patch);
      if (!out.ok) {
        if (out.error instanceof MigrationError) return vacuous("a migrator threw"); // totality's concern
        if (out.error instanceof ValidationError) {
          fail(
            "validity",
            `the update (policy ${patch.policy}) was refused by its validations:\n${validationText(out.error, live)}`,
          );
        }
        fail("validity", `the update was refused: ${describeError(out.error)}`);
      }
      const completion = await settle(out.result);
      if (completion.failed.length > 0) return vacuous("a migrator threw"); // totality's and policy independence's concern
      recheckValidations(patch, live);
      return CHECKED;
    },
  };
}

/** Runs the patch's validations again, on the live objects after the migration. */
function recheckValidations(patch: Patch, live: LiveWorld): void {
  const ns: Namespace = live.namespace;
  const objects = reachableObjects(live.instances);
  const instancesOf = (name: string): object[] => {
    if (!ns.has(name)) return [];
    const handle = ns.classNamed(name);
    return objects.filter((o) => o instanceof handle);
  };
  const view: ValidationWorld = {
    lookup: (name) => (ns.has(name) ? ns.lookup(name) : undefined),
    instancesOf,
  };
  for (const op of patch.operations) {
    if (op.op === "validateNamespace" && op.check.fn) {
      const r = op.check.fn(view);
      if (r !== true) {
        fail(
          "validity",
          `validation "${op.name}" let the update through but does not hold after the migration: ${r === false ? "it returns false" : String(r)}`,
        );
      }
    } else if (op.op === "validateInstances" && op.check.fn) {
      for (const o of instancesOf(op.className)) {
        const r = op.check.fn(o as Readonly<Record<string, unknown>>);
        if (r !== true) {
          fail(
            "validity",
            `validation "${op.name}" let the update through but does not hold on migrated instance ${label(live, o)} (${op.className}): ${r === false ? "it returns false" : String(r)}`,
          );
        }
      }
    }
  }
}
