/**
 * Code that passes a hold: the update's own health check. It runs after the
 * commit while the hold still stands (held calls are released only once the
 * update is known to stand), so a check that calls a held method to answer
 * — the natural probe — would wait for a release that waits for it, and the
 * good update was rolled back as "did not answer" (review advZ15). The
 * check's asynchronous context is marked with the hold, so that its calls,
 * and the calls of the work it starts, run at once (counted in flight like
 * any call); calls from anywhere else are still held.
 */
import { AsyncLocalStorage } from "node:async_hooks";

// Made on first use, not at import: the page runtime (src/dev/vitePage*) has
// no AsyncLocalStorage, and its updates run no health check.
let passage: AsyncLocalStorage<object> | undefined;

/** Runs `fn` so that what it calls, now and in the async work it starts, passes `hold`. */
export function runPassing<T>(hold: object, fn: () => T): T {
  passage ??= new AsyncLocalStorage<object>();
  return passage.run(hold, fn);
}

/** Whether the code running now was started by `runPassing(hold, …)`. */
export function passes(hold: object): boolean {
  return passage !== undefined && passage.getStore() === hold;
}
