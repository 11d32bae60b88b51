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

/** Derived versions whose objects are their base's as it builds them (no field change). */
const buildingAsBase = new WeakSet<Function>();

/** Notes that `ctor`, a derived version, changes nothing in the objects its base builds. */
export function noteBuildsAsBase(ctor: Function): void {
  buildingAsBase.add(ctor);
}

/**
 * The constructor that builds `ctor`'s objects: its base where `ctor` is a
 * derived version with no field change (a methods patch on a registered
 * class), which the handle then runs directly, as before the patch — not
 * through the derived constructor, 2.6× a plain `new` (review advZ3).
 */
export function builderOf(ctor: Function): Function {
  return buildingAsBase.has(ctor) ? (derivedFrom(ctor) ?? ctor) : ctor;
}
