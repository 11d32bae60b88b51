/**
 * The static data of a version metamorph derives for a patch on a class
 * the program wrote and registered without `constructedOnlyThroughHandle`
 * stays on that class: the derived version reads and writes it there. Its
 * objects answer that class as `obj.constructor` (classVersions.ts
 * objectConstructor), and its own code reads its inner binding: with the
 * values copied onto the derived version, `this.constructor.count++` in the
 * constructor counted on the class while the handle read the copy, and
 * `Item.count` in the class's own code never saw a write through the handle.
 */

/** The getters of shared statics, to tell them from a program's accessor. */
const sharedGetters = new WeakSet<Function>();

/** Defines `key` on `ctor` as an accessor to `written`'s own static of that name. */
export function shareStatic(
  ctor: Function,
  written: Function,
  key: PropertyKey,
  enumerable: boolean,
): void {
  const statics = written as unknown as Record<PropertyKey, unknown>;
  const get = (): unknown => statics[key];
  sharedGetters.add(get);
  // Assigned through a subclass (`User.table = …`), a data static gives the
  // subclass its own, as plain JavaScript's does; a later derived version
  // holding this accessor writes the class's.
  function set(this: unknown, value: unknown): void {
    const own = Reflect.getOwnPropertyDescriptor(this as object, key);
    Reflect.set(written, key, value, own?.set === set ? written : this);
  }
  Object.defineProperty(ctor, key, { get, set, enumerable, configurable: true });
}

/** Whether `d` is a static shareStatic defined (a later derived version defines it again). */
export function isSharedStatic(d: PropertyDescriptor): boolean {
  return d.get !== undefined && sharedGetters.has(d.get);
}
