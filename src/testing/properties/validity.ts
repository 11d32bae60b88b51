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
import { userFrame } from "./userFrame.js";
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
            `the update (policy ${patch.policy}) was refused by its validations:\n${validationText(out.error, live)}${thrownValidationFrame(patch, out.error)}`,
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

/**
 * Where the first instance validation that threw is in the user's code: the
 * engine keeps only the message, so the validation runs again on the object
 * it threw on, and its stack tells.
 */
function thrownValidationFrame(patch: Patch, error: ValidationError): string {
  for (const f of error.report.failures) {
    const object = (f as { object?: unknown }).object;
    if (!f.message.includes(" threw ") || typeof object !== "object" || object === null) continue;
    const op = patch.operations.find((o) => o.op === "validateInstances" && o.name === f.rule);
    if (op?.op !== "validateInstances" || !op.check.fn) continue;
    try {
      op.check.fn(object as Readonly<Record<string, unknown>>);
    } catch (thrown) {
      return userFrame(thrown);
    }
  }
  return "";
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
