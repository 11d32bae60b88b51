/**
 * Applying a reload's patch with the engine: the policy (eager, or
 * progressive above the population threshold, see ./progressive.ts), at once
 * when no call of an affected class is in flight, otherwise through the
 * lifecycle's forced quiescence; and, in the same task as the commit, the
 * values written since an undone update put back (./writesSince.ts), and
 * those of removed fields declared again (./removedFields.ts).
 */
import { LifecycleError } from "../errors.js";
import { affectedClasses } from "../lifecycle/affected.js";
import type { CallTracker } from "../lifecycle/callTracking.js";
import { dropKept, findAndKeep } from "../migration/phases/find.js";
import type { UpdateOptions, UpdateResult } from "../migration/types.js";
import { update, updateSync } from "../migration/update.js";
import { stablePrototype } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Patch } from "../patch/patch.js";
import type { ModuleRecord } from "./moduleGraph.js";
import type { PreparedReload } from "./prepare.js";
import { estimatePopulation, type ProgressOutput } from "./progressive.js";
import { giveBack, givesBack, keepRemoved } from "./removedFields.js";
import { callsToWaitFor } from "./layoutChanges.js";
import { updateWhenQuiescent } from "./quiescentUpdate.js";
import {
  callLabels,
  classesToHold,
  describeCalls,
  heldAgain,
  heldCalls,
  heldChanges,
  heldNote,
  heldRefusal,
  type Holding,
  rememberHeld,
  withRunningClasses,
} from "./heldBack.js";
import type { Reporter } from "./reporter.js";
import { type CallsInFlight, type SuspendableTracking, waitingLine } from "./tracking.js";
import { restoreWritesSince, type WritesSince } from "./writesSince.js";

/** What the engine did with a reload's patch, and how many instances it was estimated to touch. */
export interface Applied {
  readonly result: UpdateResult | undefined;
  readonly population: number;
  /**
   * How long counting the population blocked the program (ms): with the heap
   * finder a heap query, one block the progressive line must not hide.
   */
  readonly countMs?: number;
  /** What was said about values written since an undone update, and of removed fields (./removedFields.ts). */
  readonly notes?: readonly string[];
  /** Applied with classes held back (./heldBack.ts): what was applied, and its JavaScript, to record as running. */
  readonly prepared?: PreparedReload;
  readonly js?: string;
}

/** When a reload migrates progressively, and where it says how far it is. */
export interface ProgressiveOptions {
  /** Instances of the reloaded classes above which a reload is progressive. */
  readonly above: number;
  /** Objects migrated per slice (between two tasks of the program). */
  readonly sliceSize?: number;
  readonly output: ProgressOutput;
}

/** What applying a reload needs from the reloader. */
export interface ApplyContext {
  readonly namespace: Namespace;
  readonly reporter: Reporter;
  /** Calls in flight of the managed classes' `async` methods. */
  readonly tracker: CallTracker;
  /** Tracks the methods of the current versions again after an update. */
  readonly tracking: SuspendableTracking;
  /** How long a reload waits for calls in flight to finish. */
  readonly quiescenceTimeoutMs: number;
  readonly progressive: ProgressiveOptions;
}

/**
 * Whether the reload can find its instances ahead of its pause (`update()`:
 * with the heap finder the query, a full collection and a walk of the heap,
 * then runs before the pause instead of inside it): only when no affected
 * class has a method a call can be suspended in — the program runs between
 * the query and the pause, and a call starting there could straddle the
 * commit — and no values written since an undone update are to be put back
 * (that must happen in the commit's task).
 */
function findsAhead(
  context: ApplyContext,
  classes: readonly Constructor[],
  putsBack: boolean,
): boolean {
  return (
    context.namespace.finder.kind === "heap" &&
    !putsBack &&
    !classes.some((c) => context.tracking.suspendable(c))
  );
}

/**
 * Applies the patch: at once when no call of an affected class is in
 * flight; otherwise through the lifecycle's forced quiescence — new calls
 * held at entry, the ones in flight drained, apply, release — so that a
 * call suspended at an `await` never resumes on objects of the new layout.
 */
export async function applyReload(
  context: ApplyContext,
  record: ModuleRecord,
  prepared: PreparedReload,
  writes: WritesSince | undefined,
  /** Whether classes waiting for a call that does not return may be held back (not again once they are). */
  mayHold = true,
): Promise<Applied> {
  const patch = prepared.builder.build();
  const classes = affectedClasses(context.namespace, patch);
  const counting = performance.now();
  const population = countForReload(context.namespace, classes, patch);
  const countMs = performance.now() - counting;
  try {
    return {
      ...(await applyCounted(context, record, prepared, patch, {
        classes,
        population,
        writes,
        mayHold,
      })),
      countMs,
    };
  } finally {
    dropKept(context.namespace); // the count's heap query, if the update did not take it
  }
}

/**
 * The instances a reload's patch migrates, which decide whether it is
 * progressive. With the heap finder the count is the heap query that an
 * eager update then takes (phases/find.ts `findAndKeep`) instead of querying
 * twice; the caller drops it (`dropKept`) if no update took it. Here, not in
 * ./progressive.ts, because the Vite page shares that module and has no heap.
 */
export function countForReload(
  namespace: Namespace,
  classes: readonly Constructor[],
  patch: Patch,
): number {
  if (namespace.finder.kind !== "heap") return estimatePopulation(namespace, classes);
  const kept = findAndKeep(namespace, patch);
  if (kept === undefined) return 0; // nothing migrates, or the update refuses it
  const prototypes = new Set(classes.map(stablePrototype));
  let total = 0;
  for (const prototype of prototypes) total += kept.objectsFor(prototype)?.length ?? 0;
  return total;
}

/** What applying a patch was given besides the patch. */
interface Counted {
  readonly classes: readonly Constructor[];
  readonly population: number;
  readonly writes: WritesSince | undefined;
  readonly mayHold: boolean;
}

async function applyCounted(
  context: ApplyContext,
  record: ModuleRecord,
  prepared: PreparedReload,
  patch: Patch,
  { classes, population, writes, mayHold }: Counted,
): Promise<Applied> {
  const { namespace } = context;
  const { summaries, used } = prepared;
  // Values to put back need every object migrated in the commit.
  const putsBack = writes !== undefined || givesBack(namespace, summaries);
  const progressive = population > context.progressive.above && !putsBack;
  const options: UpdateOptions = progressive
    ? {
        policy: "progressive",
        ...(context.progressive.sliceSize === undefined
          ? {}
          : { sliceSize: context.progressive.sliceSize }),
      }
    : { policy: "eager" };
  const waiting = callsToWaitFor(context.namespace, patch, context.tracker, classes);
  const again =
    waiting && mayHold ? heldAgain(record, prepared.js, waiting, context.tracker) : undefined;
  if (waiting && again) return holdBack(context, record, prepared, writes, waiting, again, false);
  const kept = keepRemoved(namespace, summaries);
  let result: UpdateResult | undefined;
  if (waiting === undefined) {
    result = findsAhead(context, classes, putsBack)
      ? await update(context.namespace, patch, options)
      : updateSync(context.namespace, patch, options);
    context.tracking.refresh();
  } else {
    context.reporter.print(`${context.reporter.rel(record.file)}: ${waitingLine(waiting)}`);
    try {
      const applied = await updateWhenQuiescent(
        context.namespace,
        patch,
        options,
        context.tracker,
        waiting,
        context.quiescenceTimeoutMs,
        () => context.tracking.refresh(),
      );
      result = applied.result; // re-tracked inside the commit (onCommit)
    } catch (error) {
      const timedOut = mayHold && error instanceof LifecycleError && "timeoutMs" in error.details;
      const names = timedOut ? classesToHold(record, waiting, context.tracker) : new Set<string>();
      if (names.size === 0) throw error;
      return holdBack(context, record, prepared, writes, waiting, names, true);
    }
  }
  if (mayHold) rememberHeld(record, prepared.js, new Set(), []);
  const migrated = (name: string) => used.some((key) => key.startsWith(`${name}:migrate:`));
  const notes = [
    ...kept,
    ...giveBack(namespace, summaries, migrated),
    ...(writes ? restoreWritesSince(writes) : []),
  ];
  return { result, population, notes };
}

/**
 * A save whose classes `names` wait for calls that do not return: applies
 * the rest of it, those classes left on their running version (said in a
 * note), or refuses it when there is no rest (./heldBack.ts).
 */
async function holdBack(
  context: ApplyContext,
  record: ModuleRecord,
  prepared: PreparedReload,
  writes: WritesSince | undefined,
  waiting: CallsInFlight,
  names: ReadonlySet<string>,
  waited: boolean,
): Promise<Applied> {
  const calls = heldCalls(record, names, context.tracker);
  const file = context.reporter.rel(record.file);
  const holding: Holding = {
    changes: heldChanges(prepared.summaries, names),
    className: [...names][0]!,
    calls: describeCalls(calls),
    engineCalls: callLabels(calls, waiting.calls),
    waited,
    timeoutMs: context.quiescenceTimeoutMs,
  };
  rememberHeld(record, prepared.js, names, calls);
  const js = withRunningClasses(record, prepared.js, names);
  if (js === undefined) throw heldRefusal(file, holding);
  const reduced = await prepared.without(names);
  const applied: Applied = reduced.hasClassChanges
    ? await applyReload(context, record, reduced, writes, false)
    : { result: undefined, population: 0 };
  // What is held back is said in the note: the line is no "fixed".
  record.failing = undefined;
  return {
    ...applied,
    prepared: reduced,
    js,
    notes: [heldNote(file, holding), ...(applied.notes ?? [])],
  };
}
