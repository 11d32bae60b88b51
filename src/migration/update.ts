/**
 * The update pipeline, as its phases (each in src/migration/phases/):
 *
 *   build → detect changes → shadow → prepare → validate → commit
 *
 * For eager updates everything up to and including the commit runs in one
 * synchronous block, so no program code can write to an object between the
 * moment its new state is computed and the moment it is installed: no write
 * is lost. Every phase before the commit only computes (its undo is to drop
 * what it made); every check that can fail runs before the first object is
 * rewritten; the commit keeps an undo log and restores every touched object
 * if anything throws part-way. After the commit, lazy completion
 * (lazyCompletion.ts), the progressive sweep (sweep.ts) and rollback
 * (rollback.ts) work on what the commit recorded (result.ts).
 */
import { InvalidArgumentError, InvalidPatchError } from "../errors.js";
import { Namespace } from "../namespace/namespace.js";
import { Patch } from "../patch/patch.js";
import { budgetCheck } from "./budget.js";
import { checkHealth } from "./healthCheck.js";
import { refuseIfBusy, whileBusy, whileBusyAsync } from "./exclusive.js";
import type { EarlierCompletion } from "./lazyCompletion.js";
import { completeEarlierUpdate } from "./lazyCompletion.js";
import { checkOptions } from "./options.js";
import { PhaseClock } from "./phaseClock.js";
import { buildPhase } from "./phases/build.js";
import { commitPhase } from "./phases/commit.js";
import { detectPhase } from "./phases/detect.js";
import type { Prefound } from "./phases/find.js";
import { stillAhead } from "./phases/ahead.js";
import { findBeforePause, takeKeptFor } from "./phases/find.js";
import { preparePhase } from "./phases/prepare.js";
import { refuseIfRolledBack } from "./phases/requested.js";
import { shadowPhase } from "./phases/shadow.js";
import { validatePhase } from "./phases/validate.js";
import { updateResult } from "./result.js";
import { reopenEarlier } from "./rollback.js";
import type { UpdateOptions, UpdateResult } from "./types.js";
import { RollbackError } from "../errors.js";

export type {
  LazyCompletion,
  UpdateEvent,
  UpdateOptions,
  UpdatePhase,
  UpdateResult,
  UpdateState,
  UpdateTimings,
} from "./types.js";
import { isInstance, isRevokedProxy, kindOf } from "../valueKinds.js";
import { errorMessage } from "../validation/describe.js";

/**
 * Runs an update synchronously up to and including the commit. Throws a
 * typed error, with nothing changed, when the update is refused.
 */
export function updateSync(
  namespace: Namespace,
  patch: Patch,
  options: UpdateOptions = {},
): UpdateResult {
  // Before the kept query is looked up with them.
  checkArguments(namespace, patch);
  const checked = checkOptions(options, patch.name);
  // A dry run's heap query, kept for the update that follows it.
  const kept = takeKeptFor(namespace, patch, checked.policy);
  try {
    return updateSyncFound(namespace, patch, checked, kept);
  } finally {
    kept?.release();
  }
}

/**
 * `updateSync` given the instances its caller found before its own block
 * (`findBeforePause`, phases/find.ts), as the lifecycle does while it
 * prepares: the pause then migrates them instead of finding them. Internal
 * (not exported by the package).
 */
export function updateSyncFound(
  namespace: Namespace,
  patch: Patch,
  options: UpdateOptions,
  prefound: Prefound | undefined,
  /** Past it (`performance.now()`), the migrate phase refuses the update (budget.ts). */
  deadline?: number,
): UpdateResult {
  checkArguments(namespace, patch);
  const checked = checkOptions(options, patch.name);
  refuseIfBusy(namespace, patch.name);
  return whileBusy(namespace, `update ${patch.name}`, () =>
    pipeline(namespace, patch, checked, prefound, deadline),
  );
}

/** What a JavaScript caller (or one through `any`) can pass instead: refused before anything is read from it. */
function checkArguments(namespace: unknown, patch: unknown): void {
  if (!isInstance(patch, Patch)) {
    throw new InvalidPatchError(
      `an update applies a Patch (made with patch(name)…build() or Patch.fromJSON), not ${describe(patch)}`,
      { type: describe(patch) },
    );
  }
  readPatch(patch);
  if (!isInstance(namespace, Namespace)) {
    throw new InvalidArgumentError(
      `update ${patch.name}: the first argument must be a Namespace, not ${describe(namespace)}`,
      { patch: patch.name, type: describe(namespace) },
    );
  }
}

/**
 * A Patch's fields, read here first: a Proxy whose trap throws (or returns
 * what its frozen target does not hold, which the engine turns into a
 * TypeError) is refused naming the field, before anything of it runs.
 */
function readPatch(patch: Patch): void {
  let field = "name";
  try {
    const name: unknown = patch.name;
    field = "operations";
    const operations: unknown = patch.operations;
    if (typeof name === "string" && name !== "" && Array.isArray(operations)) return;
  } catch (error) {
    throw new InvalidPatchError(
      `an update applies a Patch whose fields can be read; reading its ${field} threw: ${errorMessage(error)}`,
      { field, cause: error },
    );
  }
  // An object made with Patch.prototype but not by its constructor.
  throw new InvalidPatchError(
    "an update applies a Patch made with patch(name)…build() or Patch.fromJSON: this one has no name or no operations",
    { field },
  );
}

function describe(value: unknown): string {
  if (typeof value !== "object" || value === null || isRevokedProxy(value)) return kindOf(value);
  try {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "Object" ? `a ${name}` : "a plain object";
  } catch {
    // A Proxy whose trap throws: what it stands for cannot be named.
    return "an object that cannot be read";
  }
}

/**
 * The phases, after an earlier lazy update of the namespace has finished
 * (one update at a time per namespace). If this update is refused, that
 * completion is undone: the earlier update's objects are pending again,
 * exactly as they were.
 */
function pipeline(
  namespace: Namespace,
  patch: Patch,
  options: UpdateOptions,
  prefound?: Prefound,
  deadline?: number,
): UpdateResult {
  const clock = new PhaseClock(patch.name, options.onEvent);
  let earlier: EarlierCompletion | undefined;
  try {
    return phases(namespace, patch, options, clock, prefound, deadline, () => {
      earlier = completeEarlierUpdate(namespace, patch.name);
      return earlier;
    });
  } catch (error) {
    reopenEarlier(earlier, [], true);
    throw error;
  }
}

function phases(
  namespace: Namespace,
  patch: Patch,
  options: UpdateOptions,
  clock: PhaseClock,
  prefound: Prefound | undefined,
  deadline: number | undefined,
  completeEarlier: () => EarlierCompletion | undefined,
): UpdateResult {
  let ahead = prefound?.ahead;
  let earlier: EarlierCompletion | undefined;
  const { built, detected } = clock.run("build", () => {
    earlier = completeEarlier();
    // Built before the pause (update(), phases/find.ts), if nothing changed since.
    ahead = stillAhead(namespace, patch, options.policy, ahead);
    if (ahead) return ahead;
    const built = buildPhase(namespace, patch, options.policy);
    return { built, detected: detectPhase(built) };
  });
  const shadowed = clock.run(
    "shadow",
    () => ahead?.shadowed ?? shadowPhase(namespace, built, detected),
  );
  // Only an exact rollback (an afterCommit hook failing) or code run between
  // rewrites (onCommitStep) needs old values the objects do not still hold.
  const lean = options.onCommitStep === undefined && built.build.hooks.afterCommit.length === 0;
  const quiet = options.onEvent === undefined && options.onCommitStep === undefined;
  const prepared = clock.run("migrate", () => {
    // Instances the finder let go unrecorded could not be migrated (nor found later).
    namespace.finder.refuseUntracked?.(shadowed.plans.map((plan) => plan.prototype));
    const late = budgetCheck(deadline, patch.name);
    return preparePhase(namespace, built, shadowed, prefound, lean, quiet, late);
  });
  const report = clock.run("validate", () => {
    const { witness } = prepared;
    // No program code runs between here and the rewrite: the rewrite checks
    // what the migration code may have written to the objects it rewrites.
    if (!options.onEvent && !options.onCommitStep && !prepared.dryRun) witness?.checkAtRewrite();
    try {
      const report = validatePhase(namespace, patch.name, built, shadowed, prepared);
      // A migrator's write elsewhere than its target is undone, and refuses the update.
      witness?.refuseChanges(patch.name);
      return report;
    } catch (error) {
      witness?.restore();
      throw error;
    }
  });
  const fromVersion = namespace.version;
  const committed = clock.run(
    "commit",
    () =>
      commitPhase(
        namespace,
        patch.name,
        built,
        shadowed,
        prepared,
        options.onCommitStep,
        earlier,
        detected.changed,
      ),
    (c) => ({ migrated: c.migrated }),
  );
  return updateResult({
    patch: patch.name,
    fromVersion,
    built,
    detected,
    report,
    committed,
    clock,
    options,
  });
}

/**
 * Runs an update and, when a health check is given, rolls it back if the
 * check fails after the commit. Refusals reject with a typed error and
 * nothing changed. An eager update with the registry finder finds its
 * instances first, in slices between the program's tasks (phases/find.ts),
 * so that its pause only migrates them; it commits a few tasks later than
 * `updateSync` would. If the namespace version it was called on is rolled
 * back meanwhile, the pause refuses it (phases/requested.ts).
 */
export async function update(
  namespace: Namespace,
  patch: Patch,
  options: UpdateOptions = {},
): Promise<UpdateResult> {
  // Before anything reads them: the heap query and the busy check take the namespace as a key.
  checkArguments(namespace, patch);
  // Read once: what follows reads the copy.
  const checked = checkOptions(options, patch.name);
  refuseIfBusy(namespace, patch.name);
  const requested = namespace.snapshot;
  const prefound = await findBeforePause(
    namespace,
    patch,
    checked.policy,
    checked.onCommitStep === undefined,
    checked.onCommitStep === undefined && checked.onEvent === undefined,
  );
  let result: UpdateResult;
  try {
    refuseIfBusy(namespace, patch.name);
    // In the pause's own block: nothing can roll the namespace back between the check and the commit.
    refuseIfRolledBack(namespace, patch.name, requested);
    result = whileBusy(namespace, `update ${patch.name}`, () =>
      pipeline(namespace, patch, checked, prefound),
    );
  } finally {
    prefound?.release();
  }
  if (prefound?.queryMs !== undefined) result.timings.find = prefound.queryMs;
  const healthCheck = checked.healthCheck;
  if (!healthCheck) return result;
  let healthy = false;
  try {
    // An update started by the health check is refused: it would commit under this one.
    healthy = await whileBusyAsync(namespace, `the health check of ${patch.name}`, async () =>
      checkHealth(healthCheck, checked.healthCheckTimeoutMs),
    );
  } catch {
    healthy = false;
  }
  // A lazy migration that failed while the check ran (a touch of its) rolled the update back.
  if (healthy)
    return result.state() === "rolled-back" ? { ...result, outcome: "rolled-back" } : result;
  try {
    result.rollback();
  } catch (error) {
    if (!(error instanceof RollbackError)) throw error;
    // Refused before anything changed (an object locked since it migrated):
    // the update stays committed, and its result is handed over with the error.
    throw new RollbackError(
      `update ${patch.name} failed its health check and stays committed: ${error.message}; details.result is its result (makePermanent(), or rollback() once the object can go back)`,
      { patch: patch.name, result, cause: error },
    );
  }
  return { ...result, outcome: "rolled-back" };
}
