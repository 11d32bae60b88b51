/**
 * The instances of several prototypes at once, from any finder: the heap
 * finder answers them in as few queries as their chains allow (each query
 * is a full collection and a walk over the whole heap); the registry reads
 * one list at a time. Each prototype is asked once, however often the
 * answer is read.
 */
import type { InstanceFinder } from "./finder.js";
import { getPrototypeOf, isNotInstance } from "./finder.js";
import type { HeapFinder } from "./heapFinder.js";
import { isRevokedProxy } from "../../valueKinds.js";

export function findEachOf(
  finder: InstanceFinder,
  prototypes: readonly object[],
  /** The heap finder's instances of subclasses on none of `prototypes` (HeapFinder.findEach). */
  others?: Map<object, object[]>,
): (prototype: object) => object[] {
  const heapEach = finder.kind === "heap" && "findEach" in finder;
  if (!heapEach || (prototypes.length < 2 && others === undefined)) {
    const lists = new Map<object, object[]>();
    return (p) => lists.get(p) ?? lists.set(p, finder.find(p)).get(p)!;
  }
  const lists = (finder as HeapFinder).findEach(prototypes, others);
  return (p) => lists.get(p)!;
}

/**
 * Up to `n` instances of `prototype` from the start of the registry's list,
 * without dereferencing the rest (each `deref()` keeps its object alive
 * until the job ends); undefined where the finder keeps no list (the heap).
 */
export function sampleOf(
  finder: InstanceFinder,
  prototype: object,
  n: number,
): object[] | undefined {
  if (finder.kind !== "registry" || !("snapshot" in finder)) return undefined;
  const snapshot = finder.snapshot as (p: object, end?: number) => readonly WeakRef<object>[];
  const sample: object[] = [];
  // The start of the list only, longer each round (cleared references are
  // skipped): copying a list of 10^6 for a sample of 256 took milliseconds.
  for (let seen = 0, end = 2 * n; ; end *= 4) {
    const refs = snapshot(prototype, end);
    for (let i = seen; i < refs.length && sample.length < n; i++) {
      const object = refs[i]!.deref();
      if (object !== undefined && isSampled(object, prototype)) sample.push(object);
    }
    if (sample.length >= n || refs.length < end) return sample;
    seen = refs.length;
  }
}

/**
 * Whether `object` is an instance on exactly `prototype`. A revoked Proxy
 * (every read of it throws) is a dead object, never sampled; any other
 * read that throws is the caller's to refuse.
 */
function isSampled(object: object, prototype: object): boolean {
  try {
    return getPrototypeOf(object) === prototype && !isNotInstance(object, true);
  } catch (error) {
    if (isRevokedProxy(object)) return false;
    throw error;
  }
}
