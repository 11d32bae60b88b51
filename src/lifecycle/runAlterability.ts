/**
 * What a run waits for: the update's criterion (by default quiescence of
 * the affected classes with a tracker, the caller's update point without),
 * and, under forced quiescence, the methods whose new calls are held.
 */
import { LifecycleError } from "../errors.js";
import type { Criterion } from "./alterability.js";
import { allOf, always, quiescenceTargets, quiescent } from "./alterability.js";
import type { Constructor } from "../mop/createClass.js";
import type { CallTracker, QuiescenceTarget } from "./callTracking.js";
import type { LifecycleContext, LifecycleUpdate, RunOptions } from "./hooks.js";

export interface Alterability {
  readonly criterion: Criterion;
  readonly holdTargets: readonly QuiescenceTarget[];
}

export function runAlterability(
  update: LifecycleUpdate,
  ctx: LifecycleContext,
  options: RunOptions,
): Alterability {
  const tracker = ctx.tracker;
  const byDefault =
    (options.defaultAlterability ?? (tracker ? "quiescence" : "update-point")) === "quiescence"
      ? quiescent(...ctx.affected)
      : always;
  let criterion = update.alterability ?? byDefault;
  let holdTargets: QuiescenceTarget[] = [];
  if (update.forceQuiescence) {
    if (!tracker) {
      throw new LifecycleError(`update ${ctx.name} forces quiescence, which needs a call tracker`, {
        update: ctx.name,
      });
    }
    holdTargets = quiescenceTargets(criterion);
    if (holdTargets.length === 0) {
      holdTargets = [...ctx.affected];
      criterion = allOf(criterion, quiescent(...holdTargets));
    }
  }
  return { criterion, holdTargets };
}

/**
 * Tracks the classes the alterability waits for or holds that the tracker
 * does not track yet (and what was defined or installed since: refresh);
 * returns them, to be untracked when the run is over.
 */
export function trackWhatItNeeds(
  tracker: CallTracker,
  { criterion, holdTargets }: Alterability,
): Constructor[] {
  const added: Constructor[] = [];
  for (const target of [...quiescenceTargets(criterion), ...holdTargets]) {
    const cls = typeof target === "function" ? target : target.class;
    if (!tracker.isTracking(cls)) {
      tracker.track(cls);
      added.push(cls);
    }
  }
  tracker.refresh();
  return added;
}
