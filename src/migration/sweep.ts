/**
 * The progressive sweep: after the commit, pending objects migrate slice by
 * slice between the program's own tasks, until none is left and the lazy
 * guards can go. The registry hands over its references, dereferenced slice
 * by slice, so no task enumerates every instance; a heap query cannot be
 * sliced and runs once per class.
 */
import type { RegistryFinder } from "../mop/instances/registryFinder.js";
import type { LazyMigration } from "./lazyCompletion.js";
import { nextTask } from "./lazyMigration.js";
import type { Plan } from "./migrationPlan.js";
import type { PhaseClock } from "./phaseClock.js";
import type { LazyCompletion } from "./types.js";

export async function sweep(
  lazy: LazyMigration,
  sliceSize: number,
  clock: PhaseClock,
  stopped: () => boolean,
): Promise<LazyCompletion> {
  await nextTask();
  clock.emit("sweep", "start");
  const t0 = performance.now();
  const finder = lazy.namespace.finder;
  const registry = finder.kind === "registry" ? (finder as RegistryFinder) : null;
  const going = () => !stopped() && lazy.pendingPossible;
  for (const plan of lazy.plans) {
    if (registry) await sweepRegistered(lazy, registry, plan, sliceSize, going);
    else await sweepFound(lazy, plan, sliceSize, going);
  }
  let done: LazyCompletion;
  if (!going()) done = lazy.progress();
  else if (registry) {
    // Every object on the class prototype at the commit was recorded
    // and has been visited: the guards can go without another full scan.
    lazy.release();
    done = lazy.progress();
  } else done = lazy.complete();
  if (lazy.failure) {
    clock.emit("sweep", "failed", performance.now() - t0, { error: lazy.failure.message });
    throw lazy.failure;
  }
  clock.emit("sweep", "end", performance.now() - t0, { migrated: done.migrated });
  return done;
}

async function sweepRegistered(
  lazy: LazyMigration,
  registry: RegistryFinder,
  plan: Plan,
  sliceSize: number,
  going: () => boolean,
): Promise<void> {
  const refs = registry.snapshot(plan.prototype);
  for (let i = 0; i < refs.length && going(); i += sliceSize) {
    const end = Math.min(refs.length, i + sliceSize);
    for (let j = i; j < end; j++) {
      const object = refs[j]!.deref();
      if (object !== undefined && Object.getPrototypeOf(object) === plan.prototype) {
        if (!lazy.sweepOne(object)) return;
      }
    }
    await nextTask();
  }
}

async function sweepFound(
  lazy: LazyMigration,
  plan: Plan,
  sliceSize: number,
  going: () => boolean,
): Promise<void> {
  const queue = lazy.unmigrated(plan);
  for (let i = 0; i < queue.length && going(); i += sliceSize) {
    for (const object of queue.slice(i, i + sliceSize)) if (!lazy.sweepOne(object)) return;
    await nextTask();
  }
}
