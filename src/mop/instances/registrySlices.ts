/**
 * Reading a copy of one registry list across event-loop tasks, each slice
 * about `sliceMs` long: each `deref()` keeps its object alive until the task
 * ends, and that set's growth is what makes one long enumeration slow.
 */
import { getPrototypeOf, isNotInstance, onMixinOf } from "./finder.js";

/** The live objects of `refs` that sit exactly on `prototype` and are instances (not prototypes, not shadow copies). */
export async function readInSlices(
  refs: readonly WeakRef<object>[],
  prototype: object,
  copiesPossible: boolean,
  sliceMs: number,
): Promise<object[]> {
  // Written by index and cut at the end: growing by push leaves a copy per doubling behind (~29 MiB at 10^6).
  const found: object[] = new Array(refs.length);
  let kept = 0;
  let i = 0;
  while (i < refs.length) {
    await nextTask();
    const deadline = performance.now() + sliceMs;
    do {
      const end = Math.min(refs.length, i + 256);
      for (; i < end; i++) {
        const object = refs[i]!.deref();
        if (
          object !== undefined &&
          (getPrototypeOf(object) === prototype || onMixinOf(object, prototype)) &&
          !isNotInstance(object, copiesPossible)
        )
          found[kept++] = object;
      }
    } while (i < refs.length && performance.now() < deadline);
  }
  found.length = kept;
  return found;
}

/** Waits for the next macrotask (the current job's kept-alive set is then dropped). */
const nextTask = (): Promise<void> =>
  new Promise((resolve) =>
    typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
