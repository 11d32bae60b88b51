/**
 * The names a verified bundle's code sees when it is compiled: the target's
 * namespace classes under their own names (so a new implementation can say
 * `extends Base` or `new Item()` for classes the service manages), then the
 * scope the service gave, which wins. A binding whose name cannot be a
 * parameter name (not an identifier, or a reserved word) is left out rather
 * than refusing the bundle: the code cannot have named it either.
 */
import { isValidClassName } from "../mop/createClass.js";
import type { Namespace } from "../namespace/namespace.js";

export function compileScope(
  namespace: Namespace,
  given: Readonly<Record<string, unknown>> = {},
): Readonly<Record<string, unknown>> {
  const scope: Record<string, unknown> = {};
  for (const name of namespace.bindingNames()) {
    // An identifier that is not a reserved word: what a parameter name may be.
    if (isValidClassName(name)) scope[name] = namespace.lookup(name);
  }
  return { ...scope, ...given };
}
