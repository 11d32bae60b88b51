/**
 * The names a verified bundle's code sees when it is compiled: the target's
 * namespace classes under their own names (so a new implementation can say
 * `extends Base` or `new Item()` for classes the service manages), then the
 * scope the service gave, which wins. A binding whose name cannot be a
 * parameter name (not an identifier, or a reserved word) is left out rather
 * than refusing the bundle: the code cannot have named it either.
 */
import type { Namespace } from "../namespace/namespace.js";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function usableAsParameter(name: string): boolean {
  if (!IDENTIFIER.test(name)) return false;
  try {
    new Function(name, "");
    return true;
  } catch {
    return false;
  }
}

export function compileScope(
  namespace: Namespace,
  given: Readonly<Record<string, unknown>> = {},
): Readonly<Record<string, unknown>> {
  const scope: Record<string, unknown> = {};
  for (const name of namespace.bindingNames()) {
    if (usableAsParameter(name)) scope[name] = namespace.lookup(name);
  }
  return { ...scope, ...given };
}
