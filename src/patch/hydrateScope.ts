/**
 * The scope a patch was hydrated with (`patch.hydrate(scope)`, what a
 * service's `listen({ scope })` gives a bundle): its migrators see those
 * names, and so must the method sources the update compiles for it — they
 * did not, and a bundle's method reading `db` committed and then threw at
 * its first call (review advY4).
 */
/** By patch (an object here: patch.ts records into it, and depends on this module). */
const scopes = new WeakMap<object, Readonly<Record<string, unknown>>>();

export function rememberHydrateScope(
  patch: object,
  scope: Readonly<Record<string, unknown>>,
): void {
  scopes.set(patch, scope);
}

/** The names `patch`'s code was compiled against, if it was hydrated. */
export function hydrateScopeOf(patch: object): Readonly<Record<string, unknown>> | undefined {
  return scopes.get(patch);
}
