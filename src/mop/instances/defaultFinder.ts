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
 * Neither is right for every program, so the default is neither: the
 * adaptive finder (adaptiveFinder.ts) starts as the registry and switches
 * to the heap query (back to the registry at the next query) when the program makes
 * `SWITCH_AFTER` (65,536) managed objects in one job — the allocation-heavy
 * programs the registry serves worst (a WeakRef per temporary, each kept
 * alive until the job ends; 30M in one job abort V8) and for which a query
 * per update is the smaller cost. Where the heap cannot be queried (browsers)
 * it stays the registry. Name "registry" or "heap" to fix the finder.
 *
 * Re-decided against issue 13's construction goal (≤ 1.3× a plain `new` in
 * three patterns), with each side of a figure measured in a process of its
 * own (bench `mop.goal.construction.*`; Node 20, 2 cores, load ~10):
 *
 * - heap: 0.85 (young, one job) / 0.94 (kept, one job) / 0.88 (spread over
 *   turns) — the goal, in every pattern: nothing is paid at construction;
 * - adaptive: 0.78 / 0.75 once a job has switched it, but 0.06 spread: a
 *   program constructing steadily across turns never switched and paid the
 *   registry's `WeakRef` per object (~100 ns) for good. It now also switches
 *   at SWITCH_PER_SECOND (2^17) constructions within a second however
 *   spread, and meets the goal in all three: 0.90 / 0.94 / 0.86 (load ~10);
 * - registry: 0.01 / 0.01 / 0.05.
 *
 * The heap finder met the construction goal first, so it was tried as the
 * Node default — and a dev session's reloads each then pay a heap query:
 * `test/dev/memory.test.ts`'s 200 reloads timed out at 60 s (with the
 * adaptive default they take a few seconds), and a service beside 200 MB of
 * data would stop for ~2 s at every update, rollback and `allInstances`
 * (bench `finder.heapQuery.1e4.bigHeap`), unsliceable. The adaptive finder
 * gives each program the finder its construction pattern calls for: one
 * that makes few managed objects keeps the registry and updates that never
 * stop for a heap query; one that constructs in bulk or at a high rate gets
 * construction at the cost of a plain `new`. The default stays adaptive in
 * Node, the registry in browsers.
 */
import { InstanceFinderUnavailableError } from "../../errors.js";
import { createAdaptiveFinder } from "./adaptiveFinder.js";
import type { InstanceFinder, InstanceFinderChoice } from "./finder.js";
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

/** The finder a namespace gets when it names none: the adaptive one (see above for why). */
export function defaultInstanceFinderKind(): InstanceFinderChoice {
  return "adaptive";
}

/**
 * A finder of the given kind, or of the default kind; `switchAfter` is the
 * adaptive finder's constructions-in-one-job threshold (SWITCH_AFTER).
 */
export function createInstanceFinder(
  kind?: InstanceFinderChoice,
  switchAfter?: number,
): InstanceFinder {
  switch (kind ?? defaultInstanceFinderKind()) {
    case "heap":
      return createHeapFinder();
    case "registry":
      return createRegistryFinder();
    case "adaptive":
      return createAdaptiveFinder(switchAfter === undefined ? {} : { switchAfter });
  }
}
