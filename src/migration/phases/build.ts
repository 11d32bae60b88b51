/**
 * Phase 1, build: the patch's operations applied to the live class
 * definitions (plain data), giving the new definitions, checked on their own
 * (well-formed, no field newly hiding a method). Input: the namespace and the
 * patch; output: old and new definitions, the build and the policy.
 * Undo: nothing live is touched.
 */
import type { ClassDefinition } from "../../mop/classDefinition.js";
import { currentVersion } from "../../mop/classHandle.js";
import type { Namespace } from "../../namespace/namespace.js";
import type { Policy } from "../../patch/operations.js";
import type { Patch } from "../../patch/patch.js";
import { validateDefinitions, validateShadowedMethods } from "../../validation/index.js";
import type { BuildResult } from "../build.js";
import { buildDefinitions } from "../build.js";
import { refuse } from "../refusal.js";

export interface Built {
  /** Live definitions by (old) class name. */
  readonly oldDefs: ReadonlyMap<string, ClassDefinition>;
  readonly build: BuildResult;
  /** New definitions by (new) class name. */
  readonly defs: ReadonlyMap<string, ClassDefinition>;
  readonly policy: Policy;
}

export function currentDefinitions(namespace: Namespace): Map<string, ClassDefinition> {
  const out = new Map<string, ClassDefinition>();
  for (const b of Object.values(namespace.snapshot.bindings)) {
    if (b.kind === "class") out.set(b.name, currentVersion(b.handle).definition);
  }
  return out;
}

/** Throws a ValidationError, with nothing changed, when the new definitions are not acceptable. */
export function buildPhase(namespace: Namespace, patch: Patch, policy?: Policy): Built {
  const oldDefs = currentDefinitions(namespace);
  const build = buildDefinitions(oldDefs, patch.operations);
  const defs = new Map([...build.classes].map(([n, c]) => [n, c.definition]));
  const renames = [...build.classes].map(([name, { oldName }]) => ({ name, oldName }));
  const failures = [
    ...validateDefinitions(defs),
    ...validateShadowedMethods(oldDefs, defs, renames),
  ];
  if (failures.length > 0) refuse(`patch ${patch.name} is refused`, failures, 1, 0);
  return { oldDefs, build, defs, policy: policy ?? build.policy };
}
