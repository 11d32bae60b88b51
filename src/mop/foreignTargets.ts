/**
 * The classes a class handle's constructor met as `new.target` that are no
 * handle and no version of one: the program's `class Special extends Handle`,
 * built with `new Special()`. The registry finder lists their objects as
 * they are built; the heap finder lists nothing, and a lazy or progressive
 * update with it queries nothing before its commit, so that without this
 * record it committed and met them only at a first touch, in the middle of
 * new code whose writes a rollback cannot take back (review advZ27 #5).
 * Knowing the classes, such an update asks the heap for their objects
 * alone, and only when there is one (migration/unmanagedSubclasses.ts).
 *
 * Each class is recorded once (a WeakSet lookup on a subclass's
 * construction; the handle's own constructions compare `new.target` only)
 * and held weakly: a class the program drops is not kept alive for this.
 */

/** Every `new.target` met already, recorded or not: the forwarder asks it before calling `noteTarget`. */
export const metTargets = new WeakSet<Function>();

const recorded = new Set<WeakRef<Function>>();
/** The size at which dead references are dropped next (classes made in a loop, then dropped). */
let pruneAt = 64;

/** Records `target`, met for the first time, unless it is managed (a handle or a version of one). */
export function noteTarget(target: Function, isManaged: (ctor: Function) => boolean): void {
  metTargets.add(target);
  if (isManaged(target)) return;
  recorded.add(new WeakRef(target));
  if (recorded.size >= pruneAt) pruneAt = Math.max(64, 2 * liveTargets().length);
}

/** The classes recorded that are still alive (unmanaged when first met; the caller checks again). */
export function liveTargets(): Function[] {
  const live: Function[] = [];
  for (const ref of recorded) {
    const target = ref.deref();
    if (target === undefined) recorded.delete(ref);
    else live.push(target);
  }
  return live;
}
