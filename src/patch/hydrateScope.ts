/**
 * The scope a patch was hydrated with (`patch.hydrate(scope)`, what a
 * service's `listen({ scope })` gives a bundle): its migrators see those
 * names, and so must the method sources the update compiles for it — they
 * did not, and a bundle's method reading `db` committed and then threw at
 * its first call (review advY4).
 */
import type { Patch } from "./patch.js";

const scopes = new WeakMap<Patch, Readonly<Record<string, unknown>>>();

export function rememberHydrateScope(patch: Patch, scope: Readonly<Record<string, unknown>>): void {
  scopes.set(patch, scope);
}

/** The names `patch`'s code was compiled against, if it was hydrated. */
export function hydrateScopeOf(patch: Patch): Readonly<Record<string, unknown>> | undefined {
  return scopes.get(patch);
}
