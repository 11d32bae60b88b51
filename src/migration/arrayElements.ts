/**
 * An array's elements (`class Queue extends Array`) live in V8's elements
 * store, apart from its hidden class: no field operation names them (a
 * patch cannot add or rename a field onto an index of an Array subclass,
 * nativeStateNames), and adding or deleting named properties leaves them
 * where they are. A migration that runs no user code, and every rollback,
 * rewrite an array's named fields alone around them. As unmanaged state
 * (carriedState.ts) each element was captured, deleted and defined again:
 * 20 µs an element in the pause, and a rollback that compared each with
 * every other (review advZ30).
 *
 * Only arrays: a plain object's index keys may be what a migrator wrote to
 * its shadow copy (which starts without them), and must be carried.
 */
const MAX_INDEX = 4294967294;

/** Whether `key` is an array index (a canonical integer in [0, 2^32 - 2]). */
export function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57) return false;
  if (first === 48) return key.length === 1;
  const n = Number(key);
  return Number.isInteger(n) && n <= MAX_INDEX && String(n) === key;
}

/**
 * How many of `keys` (`Object.keys(object)`: indices first, ascending) are
 * `object`'s elements, left out of its fields: none unless it is an array.
 */
export function elementsOf(object: object, keys: readonly string[]): number {
  if (keys.length === 0 || !isArrayIndex(keys[0]!) || !Array.isArray(object)) return 0;
  // The indices are a prefix (no named key of an array is an index): its
  // end is searched for, not walked to.
  let [low, high] = [1, keys.length];
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isArrayIndex(keys[mid]!)) low = mid + 1;
    else high = mid;
  }
  return low;
}
