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
 * The plans come from a shadow built now, its bindings settled
 * (Shadow[settle]), which the pause takes if the namespace has not changed
 * since (`stillAhead`), else builds its own. Nothing here writes to an instance or
 * runs the patch's migration code; the sample is read only where a read runs
 * no code (own data properties).
 */
import type { Constructor } from "../../mop/createClass.js";
import type { Namespace, NamespaceSnapshot } from "../../namespace/namespace.js";
import type { LogArrays } from "../logArrays.js";
import type { ApplyProgress } from "../migrationLog.js";
import type { Plan } from "../migrationPlan.js";
import type { Policy } from "../../patch/operations.js";
import type { Patch } from "../../patch/patch.js";
import type { Built } from "./build.js";
import { buildPhase } from "./build.js";
import { detectPhase } from "./detect.js";
import type { Detected } from "./detect.js";
import { settle } from "../../namespace/shadow.js";
import type { Shadowed } from "./shadow.js";
import { shadowPhase } from "./shadow.js";
import { whileBusy } from "../exclusive.js";
import { type LiveReads, liveReads, readHandles, sameLiveReads } from "./liveReads.js";

/**
 * What `update()` built before its pause for the same patch and policy: the
 * pause takes it instead of building and shadowing again (0.3–0.9 ms of
 * every pause, compiling the new class versions included) if the namespace
 * is still at `snapshot` (every change of its bindings or classes makes a new
 * one). Not its version number: a rollback takes it back, and another
 * commit then reaches the same number with another world.
 */
export interface Ahead {
  readonly patch: Patch;
  readonly policy: Policy | undefined;
  readonly snapshot: NamespaceSnapshot;
  readonly built: Built;
  readonly detected: Detected;
  readonly shadowed: Shadowed;
  /** The live classes the build read, and what it read of them (liveReads.ts). */
  readonly read: readonly Constructor[];
  readonly live: LiveReads;
}

/**
 * `ahead`, if it was made for `patch` and `policy` and nothing has changed
 * since: the namespace's snapshot, nor what the build read of its live
 * classes (their statics and members, their scopes).
 */
export function stillAhead(
  namespace: Namespace,
  patch: Patch,
  policy: Policy | undefined,
  ahead: Ahead | undefined,
): Ahead | undefined {
  return ahead?.patch === patch &&
    ahead.policy === policy &&
    namespace.snapshot === ahead.snapshot &&
    sameLiveReads(liveReads(namespace, ahead.read), ahead.live)
    ? ahead
    : undefined;
}

/**
 * Instances constructed between the allocation and the pause that still fit
 * in the arrays: 1/64 more, and at least 256.
 */
const slack = (n: number) => n + Math.max(256, n >> 6);

/** Objects the scan runs over before the pause: enough iterations for V8 to optimise its loop. */
const SAMPLE = 8192;

/**
 * Allocates the logs' arrays into `arrays` (by class prototype), and says
 * how to warm up each plan's scan and rewrite over the instances
 * `objectsFor` gives (find.ts `Prefound`): steps the caller runs each in a
 * task of its own (all in one block, they took 10–20 ms at 10^5 objects,
 * longer than the pause they shorten). The prediction follows prepare.ts:
 * no array of old values where the plan keeps none (compiledLean.ts).
 * Returns the shadow it built (for the pause to take, find.ts `Ahead`) and
 * whether it allocated anything; undefined if the update is refused.
 */
export function prepareAhead(
  namespace: Namespace,
  built: Built,
  detected: Detected,
  patchName: string,
  objectsFor: (prototype: object) => object[] | undefined,
  arrays: Map<object, LogArrays>,
  leanAllowed: boolean,
  /** The pause's scan may leave unextensible objects to the rewrite (prepare.ts). */
  quiet = false,
):
  | {
      readonly shadowed: Shadowed;
      readonly done: boolean;
      readonly warmUps: readonly (() => void)[];
    }
  | undefined {
  let shadowed: Shadowed;
  try {
    shadowed = shadowed_(namespace, patchName, built, detected);
  } catch {
    return undefined; // refused: the pause refuses it again
  }
  const { plans } = shadowed;
  const lean =
    leanAllowed &&
    built.build.hooks.afterCommit.length === 0 &&
    !plans.some((plan) => plan.needsOldView);
  let done = false;
  const warmUps: (() => void)[] = [];
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
    // The objects the scan took, for the adding rewrite's warm-up.
    let onLayout: object[] | undefined;
    warmUps.push(() => {
      try {
        onLayout = warmUpScan(plan, objects, lean, quiet);
      } catch {
        // Only a warm-up: the pause scans every object itself and reports what fails.
      }
    });
    if (lean) warmUps.push(() => warmUpAdding(plan, onLayout));
  }
  return { shadowed, done, warmUps };
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
): object[] | undefined {
  const { compiled } = plan;
  if (!compiled.fast) return undefined; // every object takes the general path: the scan does nothing
  const sample = objects.slice(0, SAMPLE);
  for (let i = 0; i < sample.length; i++) {
    if (!readsRunNoCode(sample[i]!, compiled.oldLayout)) return undefined;
  }
  // The scan the pause will take if every object is found plain (plainAhead.ts).
  const knownPlain = (compiled.firstNotPlain?.(sample, 0, sample.length) ?? -1) < 0;
  const scan = knownPlain ? compiled.scanKnownPlain : compiled.scan;
  const leanPlan = compiled.lean;
  const leanScan =
    leanPlan &&
    ((quiet && leanPlan.scanAddsOnly) || (knownPlain ? leanPlan.scanKnownPlain : leanPlan.scan));
  // The scan compacts the list it is given, and lists those it does not take.
  let copy: object[] = [];
  let general: number[] = [];
  for (let run = 0; run < 2; run++) {
    copy = sample.slice();
    general = [];
    if (lean && leanScan) leanScan(copy, general, plan.prototype);
    else scan(copy, new Array<unknown>(copy.length * compiled.stride), general, plan.prototype);
  }
  const skipped = new Set(general);
  return copy.filter((_, i) => !skipped.has(i));
}

/**
 * An adding rewrite (compiledLean.ts `addsOnly`) of constants only, run
 * over a sample of the instances and undone at once, twice, in this block:
 * without it the pause's rewrite of a new class's objects starts in the
 * interpreter (V8 has no feedback for their hidden classes) and runs there
 * until its on-stack compile is ready, 1–2 ms at 10^5 objects. Each added
 * field is then deleted again, last first, which puts every object back on
 * the hidden class it had (V8 undoes the transition of the last property
 * added). Only objects the warm-up scan took (the old layout, no own
 * accessor), still extensible and on their class, which has nothing under
 * the added names (an assignment would run a setter), and only where no
 * code can run: no getter read, no user code computed.
 */
function warmUpAdding(
  plan: Plan,
  /** The objects the warm-up scan took (on the old layout, no own accessor), where it ran. */
  scanned: readonly object[] | undefined,
): void {
  const { compiled } = plan;
  const lean = compiled.lean;
  if (!compiled.fast || !lean?.addsOnly || compiled.computedCount > 0) return;
  const added = plan.fields.slice(compiled.stride);
  for (let p: object | null = plan.prototype; p !== null; p = Object.getPrototypeOf(p)) {
    if (added.some((f) => Object.getOwnPropertyDescriptor(p, f) !== undefined)) return;
  }
  // The program ran since the scan's task: an object is added to only if
  // each assignment defines a new property, which the deletes below take
  // off again (an exact check of its layout instead took ~1 µs an object,
  // 8 ms over the sample).
  const sample = (scanned ?? []).filter(
    (o) =>
      Object.getPrototypeOf(o) === plan.prototype &&
      Object.isExtensible(o) &&
      added.every((f) => !Object.hasOwn(o, f)),
  );
  if (sample.length === 0) return;
  for (let run = 0; run < 2; run++) {
    // The commit's own shape (ApplyProgress): V8 compiles the store to it as the pause needs it.
    const progress: ApplyProgress = { done: 0, partial: false };
    try {
      lean.applyRange(sample, 0, sample.length, [], progress, []);
    } catch {
      // Only a warm-up: what it added is taken out below, and the pause reports what fails.
    } finally {
      const last = Math.min(progress.done, sample.length - 1);
      for (let i = last; i >= 0; i--) {
        const o = sample[i]!;
        for (let f = added.length - 1; f >= 0; f--) {
          if (Object.hasOwn(o, added[f]!)) Reflect.deleteProperty(o, added[f]!);
        }
      }
    }
  }
}

/** Whether reading `fields` of `object` runs no code: none is an own accessor. */
function readsRunNoCode(object: object, fields: readonly string[]): boolean {
  for (let i = 0; i < fields.length; i++) {
    const descriptor = Object.getOwnPropertyDescriptor(object, fields[i]!);
    if (descriptor !== undefined && !("value" in descriptor)) return false;
  }
  return true;
}

/** An update built ahead, and the handles of the classes it migrates eagerly. */
export interface Migrating {
  /** The namespace the build was made from. */
  readonly snapshot: NamespaceSnapshot;
  readonly built: Built;
  readonly detected: Detected;
  readonly handles: Function[];
  /** The live classes the build read (liveReads.ts), and what it read of them. */
  readonly read: readonly Constructor[];
  readonly live: LiveReads;
}

/** What the pause takes: `migrating`'s build, and the shadow made from it. */
export function aheadOf(
  patch: Patch,
  policy: Policy | undefined,
  { snapshot, built, detected, read, live }: Migrating,
  shadowed: Shadowed,
): Ahead {
  return { patch, policy, snapshot, built, detected, shadowed, read, live };
}

/**
 * The build and detection of `patch`, and the handles of the classes it
 * migrates eagerly (none for another policy); undefined if refused.
 */
export function builtAhead(
  namespace: Namespace,
  patch: Patch,
  policy: Policy | undefined,
): Migrating | undefined {
  try {
    // Busy, as in the pause: patch code reached from here cannot start another update.
    return whileBusy(namespace, `the build of ${patch.name} before its pause`, () => {
      const snapshot = namespace.snapshot;
      const built = buildPhase(namespace, patch, policy);
      const detected = detectPhase(built);
      const handles =
        built.policy === "eager"
          ? [...detected.migrating].map((name) =>
              namespace.classNamed(built.build.classes.get(name)!.oldName!),
            )
          : [];
      // Read in the same block as the build (no program code ran since).
      const changedOld = [...detected.changed].flatMap((name) => {
        const oldName = built.build.classes.get(name)?.oldName;
        return oldName == null ? [] : [oldName];
      });
      const read = readHandles(namespace, changedOld);
      return { snapshot, built, detected, handles, read, live: liveReads(namespace, read) };
    });
  } catch {
    return undefined; // refused: the pause refuses it again, with nothing changed
  }
}

/**
 * An update with no instances to find before its pause (new methods only,
 * a lazy or progressive policy): its build and shadow, made now, for the
 * pause to take if nothing changed since (`stillAhead`). Most of
 * such a pause was compiling the new class versions (about a quarter of a
 * methods-only update, measured: V8 compiles a new source more slowly amid
 * other work than in a loop of its own). Undefined if refused.
 */
export function shadowedAhead(
  namespace: Namespace,
  patch: Patch,
  policy: Policy | undefined,
  migrating: Migrating,
): Ahead | undefined {
  try {
    const { built, detected } = migrating;
    return aheadOf(patch, policy, migrating, shadowed_(namespace, patch.name, built, detected));
  } catch {
    return undefined; // refused: the pause refuses it again
  }
}

/**
 * The shadow, built while the namespace is busy (as in the pause: a static
 * initialiser of the patch cannot start another update), its bindings
 * settled (the commit then only sets the version).
 */
function shadowed_(
  namespace: Namespace,
  patchName: string,
  built: Built,
  detected: Detected,
): Shadowed {
  return whileBusy(namespace, `the build of ${patchName} before its pause`, () => {
    const shadowed = shadowPhase(namespace, built, detected);
    shadowed.shadow[settle]();
    return shadowed;
  });
}
