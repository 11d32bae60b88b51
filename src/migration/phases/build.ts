/**
 * Phase 1, build: the patch's operations applied to the live class
 * definitions (plain data), giving the new definitions, checked on their own
 * (well-formed, no field newly hiding a method). Input: the namespace and the
 * patch; output: old and new definitions, the build and the policy.
 * Undo: nothing live is touched.
 */
import type { ClassDefinition } from "../../mop/classDefinition.js";
import { currentDefinition } from "../../mop/classHandle.js";
import type { Namespace } from "../../namespace/namespace.js";
import type { Policy } from "../../patch/operations.js";
import type { Patch } from "../../patch/patch.js";
import { validateDefinitions, validateShadowedMethods } from "../../validation/index.js";
import type { BuildResult, ClassBuild } from "../build.js";
import { buildDefinitions } from "../build.js";
import { bodiesOnly, passedBefore, rememberPassed } from "../building/bodiesOnly.js";
import type { DerivedField } from "../building/freshReshape.js";
import { deriveImplementation } from "../building/derivedImplementation.js";
import { ancestry, fieldChain } from "../changes.js";
import { refuse } from "../refusal.js";
import { refuseUnchangeableMembers } from "../unchangeableMembers.js";
import { hydrateScopeOf } from "../../patch/hydrateScope.js";
import { type Scope, updateScopes } from "../building/updateScopes.js";
import { refuseUnboundNames } from "../unboundCode.js";
import { refuseStrandedCreatedSubclasses } from "../createdSubclasses.js";
import { removedClassReads } from "../removedClassReads.js";

export interface Built {
  /** Live definitions by (old) class name. */
  readonly oldDefs: ReadonlyMap<string, ClassDefinition>;
  readonly build: BuildResult;
  /** New definitions by (new) class name. */
  readonly defs: ReadonlyMap<string, ClassDefinition>;
  readonly policy: Policy;
  /** The patch changes nothing but the sources of methods (building/bodiesOnly.ts). */
  readonly bodiesOnly: boolean;
  /** The names the patch was hydrated with, which its compiled code sees too (building/updateScopes.ts). */
  readonly hydrateScope: Scope | undefined;
}

export function currentDefinitions(namespace: Namespace): Map<string, ClassDefinition> {
  const out = new Map<string, ClassDefinition>();
  const bindings = namespace.snapshot.bindings;
  for (const name in bindings) {
    const b = bindings[name]!;
    if (b.kind === "class") out.set(b.name, currentDefinition(b.handle));
  }
  return out;
}

/** Throws a ValidationError, with nothing changed, when the new definitions are not acceptable. */
export function buildPhase(namespace: Namespace, patch: Patch, policy?: Policy): Built {
  const oldDefs = currentDefinitions(namespace);
  const build = buildDefinitions(oldDefs, patch.operations);
  const defs = new Map<string, ClassDefinition>();
  for (const [n, c] of build.classes) defs.set(n, c.definition);
  const onlyBodies = bodiesOnly(oldDefs, build);
  if (!onlyBodies || !passedBefore(namespace, oldDefs)) {
    const renames = [...build.classes].map(([name, { oldName }]) => ({ name, oldName }));
    const failures = [
      ...validateDefinitions(defs),
      ...validateShadowedMethods(oldDefs, defs, renames),
    ];
    if (failures.length > 0) refuse(`patch ${patch.name} is refused`, failures, 1, 0);
  }
  rememberPassed(namespace, defs);
  const hydrateScope = hydrateScopeOf(patch);
  refuseUnboundNames(namespace, patch.name, build, oldDefs, hydrateScope);
  refuseStrandedCreatedSubclasses(patch.name, build);
  // Only a patch removing a class (never the Vite page's: vitePagePruning.ts).
  const reads = build.removed.length === 0 ? [] : removedClassReads(namespace, build);
  if (reads.length > 0) refuse(`patch ${patch.name} is refused`, reads, 1, 0);
  const derived = withDerivedImplementations(namespace, oldDefs, build, defs, hydrateScope);
  // Before the shadow and the migration: nothing of the patch has run yet.
  refuseUnchangeableMembers(namespace, oldDefs, derived);
  return {
    oldDefs,
    build: derived,
    defs,
    policy: policy ?? build.policy,
    bodiesOnly: onlyBodies,
    hydrateScope,
  };
}

/**
 * Ordinary classes the patch changes without handing in a new
 * implementation — or whose superclass it changes that way — get one derived
 * from their running version (derivedImplementation.ts): their own
 * constructor keeps running. Classes whose fields move to or from another
 * class, or whose superclass changes, are left alone (the detect phase
 * refuses them when their instances migrate).
 */
function withDerivedImplementations(
  namespace: Namespace,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  build: BuildResult,
  defs: ReadonlyMap<string, ClassDefinition>,
  hydrateScope: Scope | undefined,
): BuildResult {
  // No closure per update: under tsx and Vitest each also costs a __name call.
  const bindings = namespace.snapshot.bindings;
  let classes: Map<string, ClassBuild> | undefined;
  for (const [name, cls] of build.classes) {
    const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
    // Classes metamorph generated (most) are rebuilt from their definition.
    // One with `#` members too: its running constructor gives new objects
    // its private brand and its running members stay, where a version built
    // from the definition did not compile (a method reading `this.#c` outside
    // its class) and refused every methods patch (review advX4); a change of
    // its fields is refused all the same (detect.ts).
    if (!old || old.fieldOrigin === "created") continue;
    const handle = handleIn(bindings, cls.oldName);
    if (
      !handle ||
      cls.implementation ||
      cls.movesFields ||
      !changedAlong(name, build, defs, oldDefs)
    )
      continue;
    const parent = cls.definition.superclass;
    const sameSuperclass =
      parent === null
        ? old.superclass === null
        : // A class the patch adds (insertSuperclass) has no old name: not the same.
          old.superclass !== null && build.classes.get(parent)?.oldName === old.superclass;
    if (!sameSuperclass) continue;
    const implementation = deriveImplementation({
      handle,
      superclass: handleIn(bindings, old.superclass),
      scope: updateScopes(namespace, hydrateScope, handle).compile,
      old,
      definition: cls.definition,
      oldLayout: fieldChain(cls.oldName!, oldDefs),
      layout: layoutOf(name, build, defs),
      ...(cls.staticOrigins ? { staticOrigins: cls.staticOrigins } : {}),
    });
    classes ??= new Map(build.classes);
    classes.set(name, { ...cls, implementation, implementationDerived: true });
  }
  return classes === undefined ? build : { ...build, classes };
}

function handleIn(bindings: Namespace["snapshot"]["bindings"], name: string | null) {
  const b = name === null ? undefined : bindings[name];
  return b?.kind === "class" ? b.handle : null;
}

/** Whether the patch changes class `name` or a class it inherits from. */
function changedAlong(
  name: string,
  build: BuildResult,
  defs: ReadonlyMap<string, ClassDefinition>,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): boolean {
  return ancestry(name, defs).some((n) => {
    const c = build.classes.get(n)!;
    return c.oldName === null || c.definition !== oldDefs.get(c.oldName);
  });
}

/** Every field of class `name`'s new version, inherited first, with the old field each takes its value from. */
function layoutOf(
  name: string,
  build: BuildResult,
  defs: ReadonlyMap<string, ClassDefinition>,
): DerivedField[] {
  return ancestry(name, defs)
    .reverse()
    .flatMap((className) => {
      const { definition, fieldOrigins } = build.classes.get(className)!;
      return definition.fields.map((f) => ({
        name: f.name,
        from: fieldOrigins.has(f.name) ? fieldOrigins.get(f.name)! : f.name,
        ...(f.initializer === undefined ? {} : { initializer: f.initializer }),
      }));
    });
}
