/**
 * What the code an update compiles sees: the namespace's classes under
 * their own names (a method saying `new Cart()` gets the managed Cart), the
 * class's own scope (`defineClass`'s `scope` option), and the names the
 * patch was hydrated with (`patch.hydrate(scope)`, a service's
 * `listen({ scope })`), each winning over the one before. Method sources
 * used to see the class's scope only: a bundle's method reading `db` or
 * `Cart` committed and threw at its first call (review advY4).
 */
import type { Constructor } from "../../mop/createClass.js";
import { withLateNames } from "../../mop/lateNames.js";
import { classesOf } from "../../namespace/definitionScope.js";
import type { Namespace } from "../../namespace/namespace.js";

export { classesOf };

export type Scope = Readonly<Record<string, unknown>>;

export interface UpdateScopes {
  /** What the class's new code is compiled against. */
  readonly compile: Scope;
  /** The class's scope from the commit on: its own and the patch's, not the namespace's classes (read afresh each time). */
  readonly keep: Scope;
}

/**
 * `classes`: those the code sees by name (by default the namespace's; in a
 * shadow, the shadow's as it stands); `pending`: the classes the update adds
 * that have no handle yet, bound once they do (mop/lateNames.ts).
 */
export function updateScopes(
  namespace: Namespace,
  hydrateScope: Scope | undefined,
  handle: Constructor | null,
  classes: Scope = classesOf(namespace),
  pending: readonly string[] = [],
): UpdateScopes {
  const own = (handle === null ? undefined : namespace.scopes.get(handle)) ?? {};
  const keep = hydrateScope === undefined ? own : { ...own, ...hydrateScope };
  const late = pending.filter((n) => !Object.hasOwn(keep, n) && !Object.hasOwn(classes, n));
  return { compile: withLateNames({ ...classes, ...keep }, late), keep };
}
