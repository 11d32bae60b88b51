/**
 * The instance finder a namespace gets when it does not choose one, per
 * platform. Where Node's in-process inspector answers (Node, including
 * worker threads), the heap finder: nothing at all is paid at construction,
 * so managed classes construct like plain ones and temporaries die young; a
 * query costs a full garbage collection instead, paid only by updates.
 * Elsewhere (browsers, runtimes without `node:inspector`), the registry, the
 * only finder that can work there.
 */
import { InstanceFinderUnavailableError } from "../../errors.js";
import type { InstanceFinder, InstanceFinderKind } from "./finder.js";
import { createHeapFinder } from "./heapFinder.js";
import { createRegistryFinder } from "./registryFinder.js";

let probed: InstanceFinderKind | undefined;

/** "heap" where a synchronous heap query works in this realm, else "registry" (probed once). */
export function defaultInstanceFinderKind(): InstanceFinderKind {
  if (probed === undefined) {
    try {
      createHeapFinder();
      probed = "heap";
    } catch (error) {
      if (!(error instanceof InstanceFinderUnavailableError)) throw error;
      probed = "registry";
    }
  }
  return probed;
}

/** A finder of the given kind, or of the platform's default kind. */
export function createInstanceFinder(kind?: InstanceFinderKind): InstanceFinder {
  return (kind ?? defaultInstanceFinderKind()) === "heap"
    ? createHeapFinder()
    : createRegistryFinder();
}
