/**
 * The apply step: one synchronous block that commits a patch or changes
 * nothing. Operations that replace a class with private state (or bring
 * private state to one) go through the cooperative path (privateState.ts);
 * everything else goes through `updateSync`. When a patch has both, the
 * cooperative part commits first and is undone if `updateSync` then refuses,
 * so the whole patch is still all or nothing.
 */
import { performance } from "node:perf_hooks";
import { InvalidPatchError } from "../errors.js";
import { stablePrototype } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import { createClass } from "../mop/createClass.js";
import type { Namespace } from "../namespace/namespace.js";
import type { BuildResult } from "../migration/build.js";
import { buildPhase } from "../migration/phases/build.js";
import { detectPhase } from "../migration/phases/detect.js";
import { type Finding, startFinding } from "../migration/phases/find.js";
import type { Operation, Policy } from "../patch/operations.js";
import { Patch } from "../patch/patch.js";
import type { LazyCompletion, UpdateOptions, UpdateResult } from "../migration/update.js";
import type { Prefound } from "../migration/phases/find.js";
import { updateSyncFound } from "../migration/update.js";
import { checkOptions } from "../migration/options.js";
import type { AdoptionResult } from "./privateState.js";
import { applyAdoptions, needsAdoption } from "./privateState.js";

export interface AppliedUpdate {
  readonly patch: string;
  /** What `updateSync` did (absent when the whole patch went through the cooperative path). */
  readonly result: UpdateResult | undefined;
  /** What the cooperative private-state path did, if the patch needed it. */
  readonly adoption: AdoptionResult | undefined;
  readonly policy: Policy;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** Objects rewritten inside the commit. */
  readonly instancesMigrated: number;
  /** How long the program could not run (ms): the whole synchronous block. */
  readonly pauseMs: number;
  /** Resolves when no object is left on an old layout (at once for eager updates). */
  readonly completion: Promise<LazyCompletion | undefined>;
  pendingInstances(): number;
  completeMigration(): void;
  /**
   * Reverts every part, the last applied first, now: the caller's update
   * point. A call of the new version in flight resumes on the layout the
   * rollback puts back; `rollbackWhenQuiescent` waits for such calls.
   */
  rollback(): void;
  /**
   * Reverts as the update was applied (quiescentRollback.ts): waits for its
   * alterability within its `timeoutMs` — forced quiescence holding new calls
   * of the affected classes meanwhile, which then run on the old version —
   * and reverts in the synchronous block the wait ended in. Rejects with a
   * RollbackError, nothing changed, when the time-out passes first. Without
   * the lifecycle (`applyUpdate`), or without a call tracker, it reverts at once.
   */
  rollbackWhenQuiescent(): Promise<void>;
  makePermanent(): void;
}

type ReplaceImplementation = Extract<Operation, { op: "replaceImplementation" }>;

/** Class names an operation refers to. */
function classesNamed(op: Operation): string[] {
  const names: string[] = [];
  if ("className" in op) names.push(op.className);
  if (op.op === "changeSuperclass" && op.superclass !== null) names.push(op.superclass);
  if ((op.op === "addClass" || op.op === "insertSuperclass") && op.shape.superclass) {
    names.push(op.shape.superclass);
  }
  if (op.op === "renameClass") names.push(op.to);
  return names;
}

/** Splits a patch into the cooperative operations and the rest (refusing a mix on one class). */
export function splitPatch(
  namespace: Namespace,
  patch: Patch,
): { readonly cooperative: readonly ReplaceImplementation[]; readonly rest: Patch | undefined } {
  const cooperative = patch.operations.filter(
    (op): op is ReplaceImplementation =>
      op.op === "replaceImplementation" && needsAdoption(namespace, op),
  );
  if (cooperative.length === 0) return { cooperative, rest: patch };
  const names = new Set(cooperative.map((op) => op.className));
  const rest = patch.operations.filter((op) => !cooperative.includes(op as ReplaceImplementation));
  for (const op of rest) {
    const clash = classesNamed(op).find((n) => names.has(n));
    if (clash !== undefined) {
      throw new InvalidPatchError(
        `patch ${patch.name}: ${op.op} refers to ${clash}, whose private state is carried by its export hook in the same patch; put that change in a separate update`,
        { patch: patch.name, className: clash, operation: op.op },
      );
    }
  }
  const substantive = rest.filter((op) => op.op !== "policy");
  return { cooperative, rest: substantive.length > 0 ? new Patch(patch.name, rest) : undefined };
}

/**
 * A private-state update migrates eagerly only (a lazily migrated object
 * would meet the new methods before it has their brand): asked for lazily,
 * it was applied eagerly with no word, `applied.policy` "eager".
 */
function refuseDeferredAdoption(
  patch: Patch,
  cooperative: readonly ReplaceImplementation[],
  asked: Policy | undefined,
): void {
  const policy = asked ?? patch.policy;
  if (cooperative.length === 0 || policy === "eager") return;
  const classes = cooperative.map((op) => op.className);
  throw new InvalidPatchError(
    `patch ${patch.name}: ${classes.join(", ")} ${classes.length > 1 ? "carry" : "carries"} private # state through the export/import hooks, which migrate eagerly only, and the update asks for ${policy}: apply it eagerly (drop the ${policy} policy), or put the other changes in an update of their own`,
    { patch: patch.name, classes, policy },
  );
}

/**
 * Applies `patch` now, synchronously: committed, or a typed error with
 * nothing changed. `options.healthCheck` is not run here (the lifecycle runs
 * it after the commit).
 */
export function applyUpdate(
  namespace: Namespace,
  patch: Patch,
  options: UpdateOptions = {},
): AppliedUpdate {
  // Here too, not only in updateSync: a patch of cooperative operations alone never reaches it.
  return applyUpdateFound(namespace, patch, checkOptions(options, patch.name), undefined);
}

/** `applyUpdate` given the instances of its non-cooperative part found before this block (startFindingAhead). */
export function applyUpdateFound(
  namespace: Namespace,
  patch: Patch,
  options: UpdateOptions,
  prefound: Prefound | undefined,
  /** Past it, the engine's migrate phase refuses the update (migration/budget.ts). */
  deadline?: number,
): AppliedUpdate {
  const t0 = performance.now();
  const fromVersion = namespace.version;
  const { cooperative, rest } = splitPatch(namespace, patch);
  refuseDeferredAdoption(patch, cooperative, options.policy);
  const adoption =
    cooperative.length > 0
      ? applyAdoptions(namespace, patch.name, cooperative, options.onEvent)
      : undefined;
  let result: UpdateResult | undefined;
  try {
    if (rest) {
      const { healthCheck: _ignored, ...syncOptions } = options;
      result = updateSyncFound(namespace, rest, syncOptions, prefound, deadline);
    }
  } catch (error) {
    adoption?.rollback();
    throw error;
  }
  const pauseMs = performance.now() - t0;
  const rollback = () => {
    result?.rollback();
    adoption?.rollback();
  };
  return {
    patch: patch.name,
    result,
    adoption,
    policy: result?.policy ?? "eager",
    fromVersion,
    toVersion: namespace.version,
    instancesMigrated: (result?.instancesMigrated ?? 0) + (adoption?.instancesAdopted ?? 0),
    pauseMs,
    completion: result ? result.completion : Promise.resolve(undefined),
    pendingInstances: () =>
      result && result.state() === "committed" ? result.pendingInstances() : 0,
    completeMigration: () => {
      if (result && result.state() !== "rolled-back") result.completeMigration();
    },
    rollback,
    rollbackWhenQuiescent: async () => rollback(),
    makePermanent() {
      result?.makePermanent();
      adoption?.makePermanent();
    },
  };
}

/**
 * Starts finding, before the apply step's synchronous block, the instances
 * its `updateSync` would find inside it (phases/find.ts `startFinding`), so
 * that the block only migrates them. Release it once the block ran.
 * Undefined when there is nothing to find ahead (not eager, refused, only
 * cooperative operations).
 */
export function startFindingAhead(
  namespace: Namespace,
  patch: Patch,
  policy: Policy | undefined,
): Finding | undefined {
  const { rest } = splitPatch(namespace, patch);
  return rest ? startFinding(namespace, rest, policy) : undefined;
}

/**
 * Runs the engine's pure phases — build and detect changes — against the
 * live definitions without touching anything live, so it throws what the
 * apply step would throw for a malformed patch, invalid new definitions or a
 * refused change. The lifecycle runs it while preparing, so that a patch
 * that can never apply is refused before any call is held, and so that the
 * build code is compiled by the engine before the pause (a first update in a
 * process spends most of its pause compiling).
 */
export function preflight(namespace: Namespace, patch: Patch): void {
  const { rest } = splitPatch(namespace, patch);
  if (!rest) return;
  const built = buildPhase(namespace, rest);
  detectPhase(built);
  warmClassVersions(namespace, built.build.classes);
}

/**
 * Evaluates the new class versions once, on the side, and throws them away:
 * nothing live refers to them (createClass with an existing prototype does
 * not install methods on it). The apply step evaluates the same source text
 * again, which the engine then finds in its compilation cache — measured: a
 * first update's shadow phase drops from 5–15 ms to well under a millisecond.
 */
function warmClassVersions(namespace: Namespace, classes: BuildResult["classes"]): void {
  for (const [, cls] of classes) {
    if (cls.oldName === null || cls.implementation || !namespace.has(cls.oldName)) continue;
    // Static initialisers are program code: never run them an extra time.
    if (cls.definition.staticFields.some((f) => f.initializer !== undefined)) continue;
    try {
      const handle = namespace.classNamed(cls.oldName);
      const parentName = cls.definition.superclass;
      const superclass: Constructor | null =
        parentName === null
          ? null
          : namespace.has(parentName)
            ? namespace.classNamed(parentName)
            : undefined!;
      if (superclass === undefined) continue;
      createClass(cls.definition, {
        superclass,
        scope: namespace.scopes.get(handle) ?? {},
        prototype: stablePrototype(handle),
      });
    } catch {
      // Only a warm-up: the apply step reports what is wrong.
    }
  }
}
