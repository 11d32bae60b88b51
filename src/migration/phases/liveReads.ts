/**
 * What building a patch reads of the live classes that no namespace
 * snapshot records: each class's running version, its statics and
 * prototype members (their values and attributes: a registered class's
 * new version copies the statics' values and merges the members,
 * derivedImplementation.ts; the refusals look at the attributes), and the
 * scope its new version is compiled in (`namespace.scopes`). A build made
 * before `update()`'s pause is taken only if all of this is still the same
 * (ahead.ts `stillAhead`): a static the program set in the task between
 * (`Counter.count = 41`), a wrapper it put on a method, a new scope, would
 * otherwise be overwritten by what the build saw.
 */
import { stateOf, superclassHandle } from "../../mop/classHandle.js";
import type { Constructor } from "../../mop/createClass.js";
import type { Namespace } from "../../namespace/namespace.js";

/** The values and attributes read, flat, compared one by one with Object.is. */
export type LiveReads = readonly unknown[];

/** The handles of the classes named (running names), with their superclasses. */
export function readHandles(namespace: Namespace, names: Iterable<string>): Constructor[] {
  const handles = new Set<Constructor>();
  for (const name of names) {
    if (!namespace.has(name)) continue;
    const binding = namespace.binding(name);
    if (binding.kind !== "class") continue;
    for (let h: Constructor | null = binding.handle; h !== null; h = superclassHandle(h)) {
      if (handles.has(h)) break;
      handles.add(h);
    }
  }
  return [...handles];
}

function pushMembers(out: unknown[], target: object): void {
  for (const key of Reflect.ownKeys(target)) {
    const d = Reflect.getOwnPropertyDescriptor(target, key)!;
    out.push(key, d.value, d.get, d.set, d.writable, d.enumerable, d.configurable);
  }
}

export function liveReads(namespace: Namespace, handles: readonly Constructor[]): LiveReads {
  const out: unknown[] = [];
  for (const handle of handles) {
    const state = stateOf(handle);
    out.push(handle, state.current);
    pushMembers(out, state.current);
    pushMembers(out, state.prototype);
    const scope = namespace.scopes.get(handle);
    out.push(scope);
    if (scope !== undefined) pushMembers(out, scope);
  }
  return out;
}

export function sameLiveReads(a: LiveReads, b: LiveReads): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
