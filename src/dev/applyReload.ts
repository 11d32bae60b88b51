/**
 * Applying a reload's patch with the engine: the policy (eager, or
 * progressive above the population threshold, see ./progressive.ts), at once
 * when no call of an affected class is in flight, otherwise through the
 * lifecycle's forced quiescence; and, in the same task as the commit, the
 * values written since an undone update put back (./writesSince.ts), and
 * those of removed fields declared again (./removedFields.ts).
 */
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
import type { Reporter } from "./reporter.js";
import { type SuspendableTracking, waitingLine } from "./tracking.js";
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
): Promise<Applied> {
  const patch = prepared.builder.build();
  const classes = affectedClasses(context.namespace, patch);
  const counting = performance.now();
  const population = countForReload(context.namespace, classes, patch);
  const countMs = performance.now() - counting;
  try {
    return {
      ...(await applyCounted(context, record, prepared, patch, classes, population, writes)),
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

async function applyCounted(
  context: ApplyContext,
  record: ModuleRecord,
  { summaries, used }: PreparedReload,
  patch: Patch,
  classes: readonly Constructor[],
  population: number,
  writes: WritesSince | undefined,
): Promise<Applied> {
  const { namespace } = context;
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
  const kept = keepRemoved(namespace, summaries);
  let result: UpdateResult | undefined;
  if (waiting === undefined) {
    result = findsAhead(context, classes, putsBack)
      ? await update(context.namespace, patch, options)
      : updateSync(context.namespace, patch, options);
    context.tracking.refresh();
  } else {
    context.reporter.print(`${context.reporter.rel(record.file)}: ${waitingLine(waiting)}`);
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
  }
  const migrated = (name: string) => used.some((key) => key.startsWith(`${name}:migrate:`));
  const notes = [
    ...kept,
    ...giveBack(namespace, summaries, migrated),
    ...(writes ? restoreWritesSince(writes) : []),
  ];
  return { result, population, notes };
}
