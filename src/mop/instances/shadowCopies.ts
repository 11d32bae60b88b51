/**
 * Shadow copies: objects an update builds on a class's prototype to compute
 * and validate new states before the commit. They sit on the very prototype
 * the instances use, so a heap query would report them as instances (and the
 * next update would migrate them too); every finder leaves them out.
 */
const copies = new WeakSet<object>();
/**
 * Whether an object made elsewhere was ever marked: until then, an object a
 * class handle constructed cannot be a shadow copy, which spares the
 * registry one WeakSet lookup per object it enumerates.
 */
let anyMarked = false;

/** A new empty object on `prototype`, marked as a shadow copy (never found as an instance). */
export function createShadowCopy(prototype: object | null): Record<PropertyKey, unknown> {
  const copy = Object.create(prototype) as Record<PropertyKey, unknown>;
  copies.add(copy);
  return copy;
}

/** Marks an object made elsewhere as a shadow copy. */
export function markShadowCopy(object: object): void {
  anyMarked = true;
  copies.add(object);
}

export function isShadowCopy(object: object): boolean {
  return copies.has(object);
}

/** Whether any object was marked with markShadowCopy (so constructed objects may be shadow copies). */
export function shadowCopiesMarked(): boolean {
  return anyMarked;
}
