/**
 * The members a class handed to `registerClass` had on its own prototype,
 * which becomes the handle's stable prototype: every later version's
 * methods are installed over them, so the class read back later (a release
 * re-applied to go back to it: graphql 16.9 → 16.0) would bring the running
 * version's methods, not its own. Kept apart, on an object of their own.
 * (A module of its own: registration loads it, and the page of a Vite app
 * loads registration without the update engine.)
 */
const originalMembers = new WeakMap<Function, object>();

/** Remembers `ctor`'s own prototype members as they are now (its registration). */
export function rememberOriginalMembers(ctor: Function, skip: ReadonlySet<PropertyKey>): void {
  const prototype = ctor.prototype as object;
  const copy = Object.create(null) as object;
  for (const key of Reflect.ownKeys(prototype))
    if (!skip.has(key))
      Object.defineProperty(copy, key, Reflect.getOwnPropertyDescriptor(prototype, key)!);
  originalMembers.set(ctor, copy);
}

/** The members `ctor`'s prototype had when it was registered, if it was. */
export function originalMembersOf(ctor: Function): object | undefined {
  return originalMembers.get(ctor);
}
