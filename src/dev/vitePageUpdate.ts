/**
 * How the page applies one edit's patch (see ./vitePageRuntime.ts), like
 * `metamorph dev` (./applyReload.ts):
 * - above a threshold of instances of the affected classes the update is
 *   progressive — it commits at once and migrates the objects slice by slice
 *   between the page's own tasks — rather than freezing the page for the
 *   whole population (issue 15, item 4). The threshold is the plugin's
 *   `progressiveAbove` option, handed to the page by ./vite.ts.
 * - with a call suspended at an `await` on a class whose instances change
 *   layout (./layoutChanges.ts), the update waits for it through forced
 *   quiescence (./quiescentUpdate.ts; item 3), new calls held meanwhile, for
 *   at most the plugin's `quiescenceTimeout`.
 */
import type { AppliedUpdate } from "../lifecycle/apply.js";
import { affectedClasses } from "../lifecycle/affected.js";
import { updateSync } from "../migration/update.js";
import type { UpdateWarning } from "../migration/warning.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Patch } from "../patch/patch.js";
import { callsToWaitFor } from "./layoutChanges.js";
import { estimatePopulation, PROGRESSIVE_ABOVE } from "./progressive.js";
import {
  callsInFlight,
  QUIESCENCE_TIMEOUT_MS,
  type SuspendableTracking,
  waitingLine,
} from "./tracking.js";
import { PAGE_OPTIONS_KEY, type PageOptions } from "./vitePageOptions.js";

const PAGE_OPTIONS = Symbol.for(PAGE_OPTIONS_KEY);

function pageOptions(): PageOptions {
  return (globalThis as Record<symbol, PageOptions | undefined>)[PAGE_OPTIONS] ?? {};
}

/** What the page reports of an applied update: the engine's result, or the lifecycle's when the edit waited. */
export type PageResult = Pick<AppliedUpdate, "instancesMigrated" | "pauseMs" | "completion">;

export interface PageUpdate {
  readonly result: PageResult;
  /** The engine's warnings about the update (state it could not see, code left running). */
  readonly engineWarnings: readonly UpdateWarning[];
  /** Instances of the affected classes (an upper bound, see estimatePopulation). */
  readonly population: number;
  readonly progressive: boolean;
}

/** What an edit needs to wait for calls in flight. */
export interface PageQuiescence {
  /** The page's tracking of the managed classes' suspendable methods. */
  readonly tracking: SuspendableTracking;
  /** Told, for people, when the edit waits. */
  waiting(line: string): void;
}

/**
 * Applies `patch` eagerly, or progressively when its classes have more
 * instances than the threshold (unless told `eager`): at once when no call
 * of an affected class is in flight, otherwise (a promise) once they have
 * finished.
 */
export function applyOnPage(
  namespace: Namespace,
  patch: Patch,
  quiescence: PageQuiescence,
  eager = false,
): PageUpdate | Promise<PageUpdate> {
  const options = pageOptions();
  const classes = affectedClasses(namespace, patch);
  const timeoutMs = options.quiescenceTimeoutMs ?? QUIESCENCE_TIMEOUT_MS;
  const population = estimatePopulation(namespace, classes);
  const progressive = !eager && population > (options.progressiveAbove ?? PROGRESSIVE_ABOVE);
  const policy = progressive ? "progressive" : "eager";
  const { tracking } = quiescence;
  const now = (): PageUpdate => {
    const result = updateSync(namespace, patch, { policy });
    tracking.refresh();
    return { result, engineWarnings: result.warnings, population, progressive };
  };
  const toWaitFor = callsToWaitFor(namespace, patch, tracking.tracker, classes);
  if (toWaitFor === undefined) return now();
  // Imported here: it brings the lifecycle, which only an edit that waits needs.
  return import("./quiescentUpdate.js").then(async ({ updateWhenQuiescent }) => {
    // Looked at again: calls may have finished, or started, while it loaded.
    const waiting = callsInFlight(tracking.tracker, toWaitFor.affected);
    if (waiting === undefined) return now();
    quiescence.waiting(waitingLine(waiting));
    const result = await updateWhenQuiescent(
      namespace,
      patch,
      { policy },
      tracking.tracker,
      waiting,
      timeoutMs,
      () => tracking.refresh(),
    );
    return { result, engineWarnings: result.result?.warnings ?? [], population, progressive };
  });
}
