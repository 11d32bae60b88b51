/**
 * The instances of several prototypes at once, from any finder: the heap
 * finder answers them in as few queries as their chains allow (each query
 * is a full collection and a walk over the whole heap); the registry reads
 * one list at a time. Each prototype is asked once, however often the
 * answer is read.
 */
import type { InstanceFinder } from "./finder.js";
import type { HeapFinder } from "./heapFinder.js";

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
