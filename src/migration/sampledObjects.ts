/**
 * The first objects of each class given a new release, as the prepare
 * phase saw them before the commit (moduleSymbols.ts looks at them there),
 * kept for the warnings said after it. A lazy update's heap finder lists no
 * object after the commit, and one that migrates nothing has no migrated
 * objects to show: without these, what the objects hold (a function a
 * method wrote into them, an object of the running release's classes)
 * could not be looked at at all.
 */
import type { BuildResult } from "./build.js";

/** How many objects of a class are kept: the warnings look at a few, not at every one. */
export const KEPT = 16;

/**
 * Weak references: the update's result keeps its build while it may be
 * rolled back, and must not keep the program's objects alive that long.
 */
const samples = new WeakMap<BuildResult, Map<string, readonly WeakRef<object>[]>>();

export function rememberSample(
  build: BuildResult,
  className: string,
  objects: readonly object[],
): void {
  let byClass = samples.get(build);
  if (byClass === undefined) samples.set(build, (byClass = new Map()));
  byClass.set(
    className,
    objects.slice(0, KEPT).map((o) => new WeakRef(o)),
  );
}

/** The objects kept for `className`, or undefined where the prepare phase saw none (none were searched for). */
export function sampledObjects(build: BuildResult, className: string): object[] | undefined {
  const refs = samples.get(build)?.get(className);
  if (refs === undefined) return undefined;
  return refs.flatMap((r) => r.deref() ?? []);
}
