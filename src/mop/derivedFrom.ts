/**
 * On a version derived from a running one (migration/building/
 * derivedImplementation.ts: an `addField` on a registered class), the
 * version it derives from: its methods are that version's own, and that
 * version builds its objects.
 */
export const DERIVED_FROM: unique symbol = Symbol("metamorph: derived from");

/** The version `ctor` was derived from (DERIVED_FROM), if it was. */
export function derivedFrom<C extends Function>(ctor: C): C | undefined {
  // Its own only: a class extending a handle inherits the handle's statics,
  // this one included (the base's running version), and was taken for a
  // version derived from the base (review advW4: every base object became
  // the subclass's).
  return Object.hasOwn(ctor, DERIVED_FROM)
    ? (ctor as unknown as Record<symbol, C | undefined>)[DERIVED_FROM]
    : undefined;
}
