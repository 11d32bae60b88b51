/**
 * Classes the new release renamed. Without this, a renamed class was a
 * class removed plus a class added, and a patch that migrated the added one
 * named a class the running service does not have (`replaceImplementation
 * ("Round", …)`: refused, "there is no class Round"). A rename is what
 * `classRenames` of a migrations module says (new name ← old name, as the
 * field `renames` are written), or what diff recognises on its own, where
 * nothing else explains the two classes:
 *  - both in the same module, with the same superclass (renames applied);
 *  - the same methods and accessors (by key and kind; their bodies may
 *    differ), the same static fields by name, and some member at all (two
 *    empty classes say nothing);
 *  - the same instance fields, except ones the old class declared that the
 *    new one inherits (moved up into a superclass);
 *  - one candidate each way: two classes that could each be the other's
 *    rename are no rename.
 * Anything else stays removed + added, with a TODO where a module lost one
 * class and gained another (./notes.ts).
 */
import type { ClassDefinition, MethodDefinition } from "../../mop/classDefinition.js";
import { memberKeyName } from "../../mop/classDefinition.js";
import type { ManagedClass, ReleaseInventory } from "./inventory.js";

/** New name → old name. */
export type ClassRenames = ReadonlyMap<string, string>;

const methodIds = (d: ClassDefinition) =>
  new Set(d.methods.map((m: MethodDefinition) => `${m.static}:${m.kind}:${memberKeyName(m.key)}`));

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
  a.size === b.size && [...a].every((x) => b.has(x));

/** Instance fields `name` and its superclasses declare in `release`. */
export function chainFields(name: string | null, release: ReleaseInventory): Set<string> {
  const fields = new Set<string>();
  const seen = new Set<string>();
  for (let p = name; p !== null && !seen.has(p); ) {
    seen.add(p);
    const cls = release.classes.get(p);
    if (!cls) break;
    for (const f of cls.definition.fields) fields.add(f.name);
    p = cls.definition.superclass;
  }
  return fields;
}

function sameShape(
  before: ManagedClass,
  after: ManagedClass,
  next: ReleaseInventory,
  renames: ClassRenames,
): boolean {
  const [o, n] = [before.definition, after.definition];
  const parent = n.superclass === null ? null : (renames.get(n.superclass) ?? n.superclass);
  if (before.file !== after.file || parent !== o.superclass) return false;
  if (o.methods.length + o.fields.length === 0) return false;
  if (!sameSet(methodIds(o), methodIds(n))) return false;
  const statics = (d: ClassDefinition) => new Set(d.staticFields.map((f) => f.name));
  if (!sameSet(statics(o), statics(n))) return false;
  const oldFields = new Set(o.fields.map((f) => f.name));
  const newFields = new Set(n.fields.map((f) => f.name));
  if (![...newFields].every((f) => oldFields.has(f))) return false;
  const inherited = chainFields(n.superclass, next);
  return [...oldFields].every((f) => newFields.has(f) || inherited.has(f));
}

/** The hints that apply: the old class exists only in the old release, the new one only in the new. */
function hintedRenames(
  old: ReleaseInventory,
  next: ReleaseInventory,
  hints: ClassRenames,
): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const [to, from] of hints) {
    if (!next.classes.has(to) || old.classes.has(to)) continue;
    if (!old.classes.has(from) || next.classes.has(from) || taken.has(from)) continue;
    out.set(to, from);
    taken.add(from);
  }
  return out;
}

/** The classes `next` renamed, by new name. */
export function classRenames(
  old: ReleaseInventory,
  next: ReleaseInventory,
  hints: ClassRenames = new Map(),
): ClassRenames {
  const renames = hintedRenames(old, next, hints);
  // Until nothing more is found: a subclass matches once its superclass's rename is known.
  for (let found = true; found; ) {
    found = false;
    const taken = new Set(renames.values());
    const removed = [...old.classes.values()].filter(
      (c) => !next.classes.has(c.name) && !taken.has(c.name),
    );
    const added = [...next.classes.values()].filter(
      (c) => !old.classes.has(c.name) && !renames.has(c.name),
    );
    const pairs = added.flatMap((n) =>
      removed.filter((o) => sameShape(o, n, next, renames)).map((o) => [n.name, o.name] as const),
    );
    for (const [to, from] of pairs) {
      const unique =
        pairs.filter(([t]) => t === to).length === 1 &&
        pairs.filter(([, f]) => f === from).length === 1;
      if (unique) {
        renames.set(to, from);
        found = true;
      }
    }
  }
  return renames;
}
