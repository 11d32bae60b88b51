/**
 * The subclasses a tracked class covers. An update of a class affects its
 * subclasses (affected.ts), and a subclass's own override of an `async`
 * method is a call in flight like the superclass's: `track(Orders)` at
 * start-up with `Express extends Orders` overriding `place()` left Express's
 * calls unseen, so an update renaming Orders' field committed under one and
 * its write landed in the old field (review advZ15). Found through the
 * classes' namespaces, at `track()` and at every refresh of the tracker.
 */
import { handleOwner, superclassHandle } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import { Namespace } from "../namespace/namespace.js";

/** The nearest of `tracked` that `handle` extends, directly or not. */
function nearest(handle: Constructor, tracked: ReadonlySet<Constructor>): Constructor | undefined {
  const seen = new Set<Constructor>();
  for (let c = superclassHandle(handle); c !== null && !seen.has(c); c = superclassHandle(c)) {
    if (tracked.has(c)) return c;
    seen.add(c);
  }
  return undefined;
}

/**
 * Every class of the tracked classes' namespaces that extends one of them
 * and is not `skip`ped, with the nearest it extends (whose options it
 * follows), in definition order: one walk up from each class.
 */
export function subclassesOf(
  tracked: ReadonlySet<Constructor>,
  skip: (handle: Constructor) => boolean,
): Map<Constructor, Constructor> {
  const namespaces = new Set<Namespace>();
  for (const handle of tracked) {
    const owner = handleOwner(handle);
    if (owner instanceof Namespace) namespaces.add(owner);
  }
  const out = new Map<Constructor, Constructor>();
  for (const namespace of namespaces) {
    for (const handle of namespace.classes()) {
      if (skip(handle)) continue;
      const by = nearest(handle, tracked);
      if (by !== undefined) out.set(handle, by);
    }
  }
  return out;
}
