/**
 * A patch that only gives methods new bodies (every class keeps its name,
 * superclass, fields and its list of members by key, kind and staticness:
 * replaceMethod, say) cannot make the
 * definitions rules or the shadowed-method rule say anything new: both read
 * only names, superclass links, fields and member keys. So the build checks
 * such a world only if the one it replaces was never checked: the last world
 * that passed is remembered per namespace (by the identity of its
 * definitions, which are frozen data).
 */
import type { ClassDefinition, MethodDefinition } from "../../mop/classDefinition.js";
import { sameMemberKey } from "../../mop/classDefinition.js";
import type { BuildResult } from "../build.js";

type Definitions = ReadonlyMap<string, ClassDefinition>;

/** Per namespace (any key object), the last definitions that passed the rules. */
const passed = new WeakMap<object, Definitions>();

/** Records that `defs` passed the definitions rules, for `owner`'s next build. */
export function rememberPassed(owner: object, defs: Definitions): void {
  passed.set(owner, defs);
}

/** Whether `build` changes nothing of `oldDefs` but the sources of methods. */
export function bodiesOnly(oldDefs: Definitions, build: BuildResult): boolean {
  if (build.removed.length > 0 || build.classes.size !== oldDefs.size) return false;
  for (const [name, cls] of build.classes) {
    const before = oldDefs.get(name);
    if (before === undefined || cls.oldName !== name) return false;
    if (cls.definition !== before && !sameShape(before, cls.definition)) return false;
  }
  return true;
}

/**
 * Whether `oldDefs` is the very world that last passed the rules for
 * `owner`: then a build that changes only method bodies (bodiesOnly)
 * passes them too, and shadows no method the old world did not.
 */
export function passedBefore(owner: object, oldDefs: Definitions): boolean {
  const last = passed.get(owner);
  if (last === undefined || last.size !== oldDefs.size) return false;
  for (const [name, definition] of oldDefs) if (last.get(name) !== definition) return false;
  return true;
}

function sameShape(a: ClassDefinition, b: ClassDefinition): boolean {
  return (
    a.name === b.name &&
    a.superclass === b.superclass &&
    a.externalSuperclass === b.externalSuperclass &&
    sameItems(a.fields, b.fields) &&
    sameItems(a.staticFields, b.staticFields) &&
    sameMembers(a.methods, b.methods)
  );
}

const sameItems = <T>(a: readonly T[], b: readonly T[]) =>
  a === b || (a.length === b.length && a.every((x, i) => x === b[i]));

/** The same members in the same order, whatever their sources. */
function sameMembers(a: readonly MethodDefinition[], b: readonly MethodDefinition[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && (x.static !== y.static || x.kind !== y.kind || !sameMemberKey(x.key, y.key)))
      return false;
  }
  return true;
}
