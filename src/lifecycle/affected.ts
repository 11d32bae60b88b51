/**
 * Which live classes an update affects: those its operations name (by their
 * current names) and every subclass of them, whose instances may migrate or
 * whose inherited methods may change. Code of these classes is what must be
 * quiescent by default, and their methods are what forced quiescence holds.
 */
import type { Constructor } from "../mop/createClass.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Patch } from "../patch/patch.js";

export function affectedClasses(namespace: Namespace, patch: Patch): Constructor[] {
  const named = new Set<string>();
  for (const op of patch.operations) {
    if ("className" in op) named.add(op.className);
  }
  const classBindings = namespace
    .bindingNames()
    .map((n) => namespace.binding(n))
    .filter((b) => b.kind === "class");
  const superOf = new Map(classBindings.map((b) => [b.name, b.definition.superclass] as const));
  const affected = (name: string): boolean => {
    const seen = new Set<string>();
    for (let n: string | null | undefined = name; n != null && !seen.has(n); n = superOf.get(n)) {
      if (named.has(n)) return true;
      seen.add(n);
    }
    return false;
  };
  return classBindings.filter((b) => affected(b.name)).map((b) => b.handle);
}
