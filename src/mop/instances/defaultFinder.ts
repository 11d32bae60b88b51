/**
 * The instance finder a namespace gets when it does not choose one: the
 * registry, on every platform — in browsers because it is the only finder
 * there, and in Node too, from these figures (bench `heapQuery`,
 * `instanceFinding`, `mop`; Node 20, 2 cores):
 *
 * - the heap query cannot be sliced and does not scale with the class's
 *   instances but with the whole program's heap: V8 collects garbage fully
 *   (twice) and then walks every live object, about 1 µs per live object of
 *   the program (0.4–1.5 µs depending on load). 10^4 instances in a small
 *   heap: 60–390 ms; the same 10^4 beside 200 MB of unrelated objects:
 *   2.7–6.3 s. `update()` now runs it before its pause (phases/find.ts), so
 *   calls are not held for it, but the program still stops that long at the
 *   start of every eager update — and at every `allInstances`, lazy
 *   completion and rollback, which cannot be done ahead. A default that
 *   freezes a 200 MB service for seconds per update contradicts what live
 *   updates are for, and nothing in the program warns of it beforehand;
 * - the registry's cost is bounded per object instead: a `WeakRef` per
 *   construction through a class handle (issue 13 measured 6–19× a plain
 *   `new`; a WeakRef alone, spread over event-loop turns, about 1.8×), and
 *   its enumeration is read in slices before the pause.
 *
 * Choose the heap finder (`instanceFinder: "heap"`) for programs whose heap
 * is small and which construct many short-lived managed objects in one job
 * (the registry keeps each of them alive until the job ends); every update,
 * `allInstances` and rollback then costs one query, of about a microsecond
 * per live object of the program.
 */
import { InstanceFinderUnavailableError } from "../../errors.js";
import type { InstanceFinder, InstanceFinderKind } from "./finder.js";
import { createHeapFinder } from "./heapFinder.js";
import { createRegistryFinder } from "./registryFinder.js";

let probed: boolean | undefined;

/** Whether a synchronous heap query works in this realm (Node's in-process inspector), probed once. */
export function heapFinderAvailable(): boolean {
  if (probed === undefined) {
    try {
      createHeapFinder();
      probed = true;
    } catch (error) {
      if (!(error instanceof InstanceFinderUnavailableError)) throw error;
      probed = false;
    }
  }
  return probed;
}

/** The finder kind a namespace gets when it names none: the registry (see above for why). */
export function defaultInstanceFinderKind(): InstanceFinderKind {
  return "registry";
}

/** A finder of the given kind, or of the default kind. */
export function createInstanceFinder(kind?: InstanceFinderKind): InstanceFinder {
  return (kind ?? defaultInstanceFinderKind()) === "heap"
    ? createHeapFinder()
    : createRegistryFinder();
}
