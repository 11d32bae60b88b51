/**
 * What the objects of a class lose, for the code of the version they leave
 * that goes on running on them (closures, calls suspended at an `await`,
 * staleClosures.ts): at the commit the running version's code meets the
 * new layout; at a rollback the new version's code meets the running one
 * again. Over the class's whole chain: a subclass's code reads the fields
 * of its superclasses too.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import type { BuildResult } from "./build.js";
import { ancestry, instanceMemberNames } from "./changes.js";

export interface LostMembers {
  /** A member the code's version has in its chain and the objects' version has nowhere in theirs. */
  gone(name: string): boolean;
  /**
   * Fields of the code's version whose value the objects' version keeps
   * under another name (`status` → `state`; split off: `parts.x`).
   */
  readonly renamed: ReadonlyMap<string, string>;
}

/** The definitions an update goes between, by old and by new class name. */
export interface Versions {
  readonly build: BuildResult;
  readonly oldDefs: ReadonlyMap<string, ClassDefinition>;
  readonly defs: ReadonlyMap<string, ClassDefinition>;
}

const membersOf = (name: string, defs: ReadonlyMap<string, ClassDefinition>) =>
  new Set(ancestry(name, defs).flatMap((n) => instanceMemberNames(defs.get(n)!)));

/** For the running version's code of `className` (its new name) on the objects the commit updated. */
export function lostAtCommit(className: string, oldName: string, versions: Versions): LostMembers {
  const { build, oldDefs, defs } = versions;
  const had = membersOf(oldName, oldDefs);
  const kept = membersOf(className, defs);
  const renamed = new Map<string, string>();
  for (const n of ancestry(className, defs)) {
    const cls = build.classes.get(n);
    if (cls === undefined) continue;
    for (const [to, from] of cls.fieldOrigins)
      if (from !== null && from !== to && had.has(from)) renamed.set(from, to);
    for (const { via, fields } of cls.splits)
      for (const { to, from } of fields)
        if (from !== null && had.has(from)) renamed.set(from, `${via}.${to}`);
  }
  return { gone: (name) => had.has(name) && !kept.has(name), renamed };
}

/** For the new version's code of `className` on the objects a rollback of the update puts back. */
export function lostAtRollback(
  className: string,
  oldName: string,
  versions: Versions,
): LostMembers {
  const { build, oldDefs, defs } = versions;
  const had = membersOf(className, defs);
  const kept = membersOf(oldName, oldDefs);
  const renamed = new Map<string, string>();
  for (const n of ancestry(className, defs)) {
    const cls = build.classes.get(n);
    if (cls === undefined) continue;
    for (const [to, from] of cls.fieldOrigins)
      if (from !== null && from !== to && kept.has(from)) renamed.set(to, from);
  }
  return { gone: (name) => had.has(name) && !kept.has(name), renamed };
}
