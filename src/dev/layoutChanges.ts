/**
 * Whose calls in flight an edit waits for (./quiescentUpdate.ts): the
 * classes whose instances change layout. A call suspended at an `await`
 * resumes on its object as the object is then; only a new layout (a field
 * added, removed or renamed, a migrator's rewrite) can make it write a stray
 * field or read one that moved. An edit of method bodies alone applies at
 * once, as any hot reload does, even while a method of the class awaits —
 * a page's `async loop()` that never ends must not block every edit.
 */
import type { CallTracker } from "../lifecycle/callTracking.js";
import { builtAhead } from "../migration/phases/ahead.js";
import type { Constructor } from "../mop/createClass.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Patch } from "../patch/patch.js";
import { type CallsInFlight, callsInFlight } from "./tracking.js";

/** The live classes whose instances `patch` migrates (none when it is refused: the update then says why). */
export function classesChangingLayout(namespace: Namespace, patch: Patch): Constructor[] {
  return (builtAhead(namespace, patch, "eager")?.handles ?? []) as Constructor[];
}

/**
 * The calls in flight `patch` must wait for: those of the affected `classes`
 * whose instances change layout; undefined when it can apply at once. The
 * patch is built once more (to see what migrates) only when some call of an
 * affected class is in flight at all.
 */
export function callsToWaitFor(
  namespace: Namespace,
  patch: Patch,
  tracker: CallTracker,
  classes: readonly Constructor[],
): CallsInFlight | undefined {
  if (callsInFlight(tracker, classes) === undefined) return undefined;
  return callsInFlight(tracker, classesChangingLayout(namespace, patch));
}
