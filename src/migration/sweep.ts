/**
 * The progressive sweep: after the commit, pending objects migrate slice by
 * slice between the program's own tasks, until none is left and the lazy
 * guards can go. A slice ends after SLICE_MS (or `sliceSize` objects, when
 * given), whichever comes first: a count alone cannot bound the block, since
 * one object can cost much more than another (garbage collection, user
 * migrators). The registry hands over its references, dereferenced slice by
 * slice, so no task enumerates every instance; a heap query cannot be sliced
 * and runs once for all classes, in the first task after the commit; the sweep
 * never searches again at its end.
 */
import { MetamorphError } from "../errors.js";
import { onMixinOf } from "../mop/instances/finder.js";
import type { RegistryFinder } from "../mop/instances/registryFinder.js";
import { unreadableError as refusal } from "../mop/unreadableObjects.js";
import { isRevokedProxy } from "../valueKinds.js";
import { isProxy } from "./proxies.js";
import type { LazyMigration } from "./lazyCompletion.js";
import { nextTask } from "./lazyMigration.js";
import type { Plan } from "./migrationPlan.js";
import type { PhaseClock } from "./phaseClock.js";
import type { LazyCompletion } from "./types.js";

/** Longest a slice runs before the program gets its turn (ms). */
export const SLICE_MS = 4;
/** Shortest a slice runs, however late it starts (ms): the sweep always moves on. */
const MIN_SLICE_MS = 1;
/** Objects between two looks at the clock. */
const CHECK_EVERY = 64;

/**
 * A slice's budget: true while the slice may go on with the next object.
 * A slice ends SLICE_MS after the previous one ended, not after it began:
 * what ran in between — a scavenge V8 runs as a task of its own just before
 * the slice, or the program's own work in the same turn of the event loop —
 * delayed the program's next timer as much as the slice will, and the two
 * add up to one block (measured: 4 ms of scavenge then 4 ms of slice, an
 * 8 ms gap, at every scavenge of a sweep). Such a slice runs MIN_SLICE_MS.
 */
function sliceBudget(sliceSize: number | undefined): () => boolean {
  let count = 0;
  let deadline = 0;
  let ended = -1;
  return () => {
    if (count === 0) {
      const now = performance.now();
      deadline = ended < 0 ? now + SLICE_MS : Math.max(now + MIN_SLICE_MS, ended + SLICE_MS);
    }
    count++;
    if (sliceSize !== undefined && count > sliceSize) {
      count = 0;
      ended = performance.now();
      return false;
    }
    if (count % CHECK_EVERY === 0) {
      const now = performance.now();
      if (now >= deadline) {
        count = 0;
        ended = now;
        return false;
      }
    }
    return true;
  };
}

/**
 * Sweeps `lazy`, which counts as swept (LazyMigration.sweeping) from this
 * call until the sweep has decided to stop, in the same synchronous step
 * (a reopen that comes later starts another sweep).
 */
export function sweep(
  lazy: LazyMigration,
  sliceSize: number | undefined,
  clock: PhaseClock,
  stopped: () => boolean,
): Promise<LazyCompletion> {
  lazy.sweeping = true;
  return sweepSlices(lazy, sliceSize, clock, stopped);
}

async function sweepSlices(
  lazy: LazyMigration,
  sliceSize: number | undefined,
  clock: PhaseClock,
  stopped: () => boolean,
): Promise<LazyCompletion> {
  try {
    await nextTask();
    clock.emit("sweep", "start");
    const t0 = performance.now();
    const finder = lazy.namespace.finder;
    const registry = finder.kind === "registry" ? (finder as RegistryFinder) : null;
    const going = () => !stopped() && lazy.pendingPossible;
    if (registry) {
      for (const plan of lazy.plans) await sweepRegistered(lazy, registry, plan, sliceSize, going);
    } else {
      // One heap query for every class (each query walks the whole heap).
      for (const queue of (going() && lazy.unmigratedEach("sweep")) || []) {
        await sweepFound(lazy, queue, sliceSize, going);
      }
    }
    // An object that could not be migrated once the update was permanent
    // (LazyMigration strand) keeps the guards.
    if (going() && lazy.strandedNow.length === 0) {
      // Every object on the class prototype at the commit was recorded (or
      // found by the query after it) and has been visited, and every object
      // made since was born on the new layout: the guards can go without
      // another search — which, with the heap finder, would block the program
      // for a whole heap query again — once the brands are off, slice by slice.
      lazy.allVisited();
      do await nextTask();
      while (going() && !lazy.unbrandUntil(performance.now() + SLICE_MS));
    }
    let done: LazyCompletion;
    if (!going() || lazy.strandedNow.length > 0) done = lazy.progress();
    else {
      lazy.release();
      done = lazy.progress();
    }
    if (lazy.failure) {
      clock.emit("sweep", "failed", performance.now() - t0, { error: lazy.failure.message });
      throw lazy.failure;
    }
    clock.emit("sweep", "end", performance.now() - t0, { migrated: done.migrated });
    return done;
  } finally {
    lazy.sweeping = false;
  }
}

async function sweepRegistered(
  lazy: LazyMigration,
  registry: RegistryFinder,
  plan: Plan,
  sliceSize: number | undefined,
  going: () => boolean,
): Promise<void> {
  const refs = registry.snapshot(plan.prototype);
  // Copying 10^6 references takes a few milliseconds: a task of its own.
  await nextTask();
  const more = sliceBudget(sliceSize);
  let i = 0;
  while (i < refs.length && going()) {
    for (; i < refs.length && more(); i++) {
      const object = refs[i]!.deref();
      let on: boolean;
      try {
        on = object !== undefined && onPlanPrototype(object, plan.prototype);
      } catch (error) {
        // A Proxy whose trap throws cannot be migrated: the update rolls back.
        lazy.unreadableFound(unreadableError(plan, object, error), plan, "sweep");
        return;
      }
      if (on && !sweepOne(lazy, plan, object!)) return;
    }
    await nextTask();
  }
}

async function sweepFound(
  lazy: LazyMigration,
  queue: readonly object[],
  sliceSize: number | undefined,
  going: () => boolean,
): Promise<void> {
  const more = sliceBudget(sliceSize);
  let i = 0;
  while (i < queue.length && going()) {
    for (; i < queue.length && more(); i++) if (!lazy.sweepOne(queue[i]!)) return;
    await nextTask();
  }
}

/**
 * `lazy.sweepOne(object)`; a Proxy whose trap throws at the looks made
 * before its migration (its brand, its layout) cannot be migrated either:
 * the update rolls back (false), the sweep not ended by the program's error.
 */
function sweepOne(lazy: LazyMigration, plan: Plan, object: object): boolean {
  try {
    return lazy.sweepOne(object);
  } catch (error) {
    if (error instanceof MetamorphError || !isProxy(object)) throw error;
    return lazy.unreadableFound(unreadableError(plan, object, error), plan, "sweep");
  }
}

/**
 * Whether `object` sits on `prototype` (or a mixin of it); false for a
 * revoked Proxy, whose reads all throw: a dead object, passed over. What
 * another Proxy's trap throws goes to the caller.
 */
function onPlanPrototype(object: object, prototype: object): boolean {
  try {
    return Object.getPrototypeOf(object) === prototype || onMixinOf(object, prototype);
  } catch (error) {
    if (isRevokedProxy(object)) return false;
    throw error;
  }
}

function unreadableError(plan: Plan, object: object | undefined, error: unknown): unknown {
  if (error instanceof MetamorphError) return error;
  const at = { className: plan.className, object };
  return refusal(at, "a read of it", "looking for the pending objects", error);
}
