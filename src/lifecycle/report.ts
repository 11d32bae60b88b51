/**
 * What a lifecycle run hands back: the report of the attempt, and what of
 * the retired class versions is still alive after it.
 */
import type { Constructor } from "../mop/createClass.js";
import { currentVersion } from "../mop/classHandle.js";
import type { Namespace } from "../namespace/namespace.js";
import type { AppliedUpdate } from "./apply.js";
import type { CallRecord, CallTracker } from "./callTracking.js";
import type { ComponentAnswer, ResumeFailure } from "./cooperative.js";
import type { FinalStatus, LifecycleEvent, LifecycleStatus, LifecycleStep } from "./events.js";

/** Objects and code of retired versions still alive after an update. */
export interface RetirementReport {
  /** Class versions this update retired. */
  readonly retired: readonly {
    readonly className: string;
    readonly version: number;
    readonly replacedBy: number;
  }[];
  /** Objects still on a retired layout (lazy or progressive migration not over). */
  readonly pendingInstances: number;
  /** Objects still carrying a retired version's private fields (unreadable; freed with the objects). */
  readonly retiredPrivateState: number;
  /** Calls that started on a retired version and are still running: old code on updated objects. */
  readonly oldCodeRunning: readonly CallRecord[];
  /** Retired versions are kept so that the update can be rolled back, until `makePermanent()`. */
  readonly retainedForRollback: boolean;
}

export interface LifecycleReport {
  readonly update: string;
  readonly attempt: number;
  readonly status: FinalStatus;
  /** Why it did not commit (or why it rolled back). */
  readonly reason?: string;
  readonly error?: unknown;
  readonly applied?: AppliedUpdate;
  /**
   * How long the program could not run (ms): the synchronous block from the
   * last alterability check to the end of apply (`applied.pauseMs` is the
   * apply step alone); 0 when nothing was applied.
   */
  readonly pauseMs: number;
  /** How long calls were held at entry (ms); 0 without forced quiescence. */
  readonly holdMs: number;
  /** Calls held at entry and released. */
  readonly heldCalls: number;
  /** Tracked calls in flight at the commit (they started on the old version and finish on the new one). */
  readonly straddled: readonly CallRecord[];
  readonly components: readonly ComponentAnswer[];
  readonly resumeFailures: readonly ResumeFailure[];
  /** Errors of hooks after the commit (the update stays committed). */
  readonly hookErrors: readonly { readonly step: LifecycleStep; readonly error: unknown }[];
  /** ms spent in each status, and the total. */
  readonly timings: Readonly<Partial<Record<LifecycleStatus, number>>> & { readonly total: number };
  readonly retirement?: RetirementReport;
  readonly events: readonly LifecycleEvent[];
}

export function classVersions(
  namespace: Namespace,
): Map<Constructor, { name: string; version: number }> {
  const out = new Map<Constructor, { name: string; version: number }>();
  for (const name of namespace.bindingNames()) {
    const b = namespace.binding(name);
    if (b.kind === "class")
      out.set(b.handle, { name, version: currentVersion(b.handle).definition.version });
  }
  return out;
}

/**
 * What of the retired versions is still alive after an update. Class handles
 * keep one prototype per class, so there are no "objects of the old class" in
 * the usual sense: an object belongs to a retired version while it is still
 * on the old layout (lazy or progressive migration not over), while it holds
 * a retired version's private fields, or while a call that started in the
 * old code is still running on it. The pending count uses the namespace's
 * instance finder (a heap query with `instanceFinder: "heap"`).
 */
export function retirementReport(
  namespace: Namespace,
  before: ReadonlyMap<Constructor, { name: string; version: number }>,
  applied: AppliedUpdate,
  tracker: CallTracker | undefined,
  straddled: readonly CallRecord[],
): RetirementReport {
  const retired: { className: string; version: number; replacedBy: number }[] = [];
  for (const [handle, was] of before) {
    const now = namespace.owns(handle) ? currentVersion(handle).definition.version : was.version;
    if (now !== was.version)
      retired.push({ className: was.name, version: was.version, replacedBy: now });
  }
  const rolledBack =
    applied.result?.state() === "rolled-back" || applied.adoption?.state() === "rolled-back";
  const permanent =
    applied.result?.state() === "permanent" || applied.adoption?.state() === "permanent";
  return {
    retired: rolledBack ? [] : retired,
    pendingInstances: applied.pendingInstances(),
    retiredPrivateState: rolledBack ? 0 : (applied.adoption?.retiredPrivateState() ?? 0),
    oldCodeRunning: tracker ? tracker.stillInFlight(straddled.map((c) => c.id)) : [],
    retainedForRollback: !rolledBack && !permanent,
  };
}
