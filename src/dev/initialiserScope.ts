/**
 * Where the engine computes the initial value of a reloaded class's new
 * field for the objects it migrates. It compiles the field's initialiser
 * from its source (migration/migrationPlan.ts `compileDefault`), seeing
 * globals and the class's `scope` (`namespace.scopes`) only. A reloaded
 * version's initialisers read their module through its accessors
 * (`__metamorph$scope.LIMIT`, ./scopeEvaluate.ts) and the names later
 * versions added (new imports, functions, consts) as locals of the reload's
 * code: compiled globally, every added field that read its module — every
 * arrow or function field of a TypeScript module, which tsx wraps in the
 * module's `__name` — failed the update with "__metamorph$scope is not
 * defined", whatever the migrations module said. So a reloaded class's
 * scope is its module's, as of this reload: the value a migrated object gets
 * is the one a new object gets.
 */
import type { Constructor } from "../mop/createClass.js";
import type { Namespace } from "../namespace/namespace.js";
import type { ScopeAccess } from "./scopeAccess.js";
import { scopeParameters } from "./scopeEvaluate.js";

export function giveInitialisersModuleScope(
  namespace: Namespace,
  handles: readonly Constructor[],
  access: ScopeAccess,
  /** The names later versions added, with their values (the reload's code declares them as locals). */
  extras: Readonly<Record<string, unknown>>,
): void {
  const scope = { ...extras, ...scopeParameters(access) };
  for (const handle of handles) namespace.scopes.set(handle, scope);
}
