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
import { validateDefinitions } from "../../validation/index.js";
import type { ValidationFailure } from "../../validation/report.js";
import type { BuildResult } from "../build.js";
import { buildDefinitions } from "../build.js";
import { ancestry, fieldChain } from "../changes.js";
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
  const failures = [...validateDefinitions(defs), ...newlyShadowedMethods(oldDefs, build, defs)];
  if (failures.length > 0) refuse(`patch ${patch.name} is refused`, failures, 1, 0);
  return { oldDefs, build, defs, policy: policy ?? build.policy };
}

/**
 * A field that the patch gives the same name as an instance method of its
 * class chain (or a method named like an existing field) makes the method
 * unreachable on every instance — almost always a mistake (`comment` and
 * `comment()`). Shadowing that already existed before the patch is left
 * alone: it may be the deliberate `this.m = this.m.bind(this)` idiom.
 */
function newlyShadowedMethods(
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  build: BuildResult,
  defs: ReadonlyMap<string, ClassDefinition>,
): ValidationFailure[] {
  const failures: ValidationFailure[] = [];
  for (const [name, cls] of build.classes) {
    const before = cls.oldName === null ? new Set<string>() : clashes(cls.oldName, oldDefs);
    for (const field of clashes(name, defs)) {
      if (before.has(field)) continue;
      failures.push({
        rule: "field-shadows-method",
        className: name,
        field,
        message: `class ${name} would have both a field and a method named "${field}": the field hides the method on every instance; rename one of them`,
      });
    }
  }
  return failures;
}

/** Fields of `name`'s chain that share their name with one of its instance methods. */
function clashes(name: string, world: ReadonlyMap<string, ClassDefinition>): Set<string> {
  const chain = ancestry(name, world).map((c) => world.get(c)!);
  const methods = new Set(
    chain
      .flatMap((d) =>
        d.methods.filter((m) => !m.static && m.kind === "method" && typeof m.key === "string"),
      )
      .map((m) => m.key as string),
  );
  return new Set(fieldChain(name, world).filter((f) => methods.has(f)));
}
