/**
 * What an eager `update()` prepares before its pause once it has found the
 * instances (find.ts), so that the pause only checks and migrates them:
 *
 * - the arrays each class's migration log fills (old values, computed
 *   values), at the size its plan needs: a new array of several megabytes
 *   costs page faults (15–30 ms for 3·10^6 slots on this machine);
 * - the plan's compiled scan (compiledSource.ts), run over a sample of the
 *   instances whose fields are plain data properties, with arrays of its
 *   own: V8 then has the scan's type feedback for these very hidden classes
 *   and has optimised its loop, which the pause otherwise runs first in the
 *   interpreter (about 40 % of the scan of 10^5 objects).
 *
 * The plans come from a shadow built now and dropped, as a dry run builds
 * one (lifecycle/dryRun.ts); the pause builds its own, and finds the same
 * compiled functions by their source. Nothing here writes to an instance or
 * runs the patch's migration code; the sample is read only where a read runs
 * no code (own data properties).
 */
import type { Namespace } from "../../namespace/namespace.js";
import type { LogArrays } from "../migrationLog.js";
import type { Plan } from "../migrationPlan.js";
import type { Built } from "./build.js";
import type { Detected } from "./detect.js";
import type { Shadowed } from "./shadow.js";
import { shadowPhase } from "./shadow.js";

/**
 * Instances constructed between the allocation and the pause that still fit
 * in the arrays: 1/64 more, and at least 256.
 */
const slack = (n: number) => n + Math.max(256, n >> 6);

/** Objects the scan runs over before the pause: enough iterations for V8 to optimise its loop. */
const SAMPLE = 8192;

/**
 * Allocates the logs' arrays into `arrays` (by class prototype) and warms up
 * each plan's scan over the instances `objectsFor` gives (find.ts
 * `Prefound`). The prediction follows prepare.ts: no array of old values
 * where the plan keeps none (compiledLean.ts). Returns the shadow it built
 * (for the pause to take, find.ts `Ahead`) and whether it did anything
 * else; undefined if the update is refused.
 */
export function prepareAhead(
  namespace: Namespace,
  built: Built,
  detected: Detected,
  objectsFor: (prototype: object) => object[] | undefined,
  arrays: Map<object, LogArrays>,
  leanAllowed: boolean,
  /** The pause's scan may leave unextensible objects to the rewrite (prepare.ts). */
  quiet = false,
): { readonly shadowed: Shadowed; readonly done: boolean } | undefined {
  let shadowed: Shadowed;
  try {
    shadowed = shadowPhase(namespace, built, detected);
  } catch {
    return undefined; // refused: the pause refuses it again
  }
  const { plans } = shadowed;
  const lean =
    leanAllowed &&
    built.build.hooks.afterCommit.length === 0 &&
    !plans.some((plan) => plan.needsOldView);
  let done = false;
  for (const plan of plans) {
    const objects = objectsFor(plan.prototype);
    if (objects === undefined) continue;
    const { compiled } = plan;
    const n = slack(objects.length);
    const keepsOld = compiled.fast && compiled.stride > 0 && !(lean && compiled.lean);
    const made: LogArrays = {
      ...(keepsOld ? { old: new Array<unknown>(n * compiled.stride) } : {}),
      ...(compiled.computedCount > 0
        ? { computed: new Array<unknown>(n * compiled.computedCount) }
        : {}),
    };
    if (made.old || made.computed) {
      arrays.set(plan.prototype, made);
      done = true;
    }
    try {
      if (warmUpScan(plan, objects, lean, quiet)) done = true;
    } catch {
      // Only a warm-up: the pause scans every object itself and reports what fails.
    }
  }
  return { shadowed, done };
}

/**
 * Runs the scan the pause will run (MigrationLog.scan) over the first
 * objects of `objects`, into arrays of its own, twice: the first run
 * optimises its loop (on-stack), the second has V8 compile the function
 * itself while the program's next task runs. A slice keeps the list's
 * elements kind, which the scan's code checks too. Not if a read of one of
 * them would run code (an own accessor).
 */
function warmUpScan(
  plan: Plan,
  objects: readonly object[],
  lean: boolean,
  quiet: boolean,
): boolean {
  const { compiled } = plan;
  if (!compiled.fast) return false; // every object takes the general path: the scan does nothing
  const sample = objects.slice(0, SAMPLE);
  for (let i = 0; i < sample.length; i++) {
    if (!readsRunNoCode(sample[i]!, compiled.oldLayout)) return false;
  }
  for (let run = 0; run < 2; run++) {
    // The scan compacts the list it is given.
    const copy = sample.slice();
    const leanScan = compiled.lean && ((quiet && compiled.lean.scanAddsOnly) || compiled.lean.scan);
    if (lean && leanScan) leanScan(copy, [], plan.prototype);
    else compiled.scan(copy, new Array<unknown>(copy.length * compiled.stride), [], plan.prototype);
  }
  return sample.length > 0;
}

/** Whether reading `fields` of `object` runs no code: none is an own accessor. */
function readsRunNoCode(object: object, fields: readonly string[]): boolean {
  for (let i = 0; i < fields.length; i++) {
    const descriptor = Object.getOwnPropertyDescriptor(object, fields[i]!);
    if (descriptor !== undefined && !("value" in descriptor)) return false;
  }
  return true;
}
