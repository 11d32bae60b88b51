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

/**
 * The fields of the running version (`old`) that the update keeps under
 * another name, over `className`'s new chain, as [old name, new name];
 * with `splits`, also those split off into another object (`parts.x`).
 */
function renames(
  className: string,
  { build, defs }: Versions,
  old: ReadonlySet<string>,
  splits: boolean,
): [from: string, to: string][] {
  const pairs: [string, string][] = [];
  for (const n of ancestry(className, defs)) {
    const cls = build.classes.get(n);
    if (cls === undefined) continue;
    for (const [to, from] of cls.fieldOrigins)
      if (from !== null && from !== to && old.has(from)) pairs.push([from, to]);
    if (splits)
      for (const { via, fields } of cls.splits)
        for (const { to, from } of fields)
          if (from !== null && old.has(from)) pairs.push([from, `${via}.${to}`]);
  }
  return pairs;
}

/** For the running version's code of `className` (its new name) on the objects the commit updated. */
export function lostAtCommit(className: string, oldName: string, versions: Versions): LostMembers {
  const had = membersOf(oldName, versions.oldDefs);
  const kept = membersOf(className, versions.defs);
  const renamed = new Map(renames(className, versions, had, true));
  return { gone: (name) => had.has(name) && !kept.has(name), renamed };
}

/** For the new version's code of `className` on the objects a rollback of the update puts back. */
export function lostAtRollback(
  className: string,
  oldName: string,
  versions: Versions,
): LostMembers {
  const had = membersOf(className, versions.defs);
  const kept = membersOf(oldName, versions.oldDefs);
  // The other way round: the new name's value goes back under the old one.
  const renamed = new Map(
    renames(className, versions, kept, false).map(([from, to]) => [to, from]),
  );
  return { gone: (name) => had.has(name) && !kept.has(name), renamed };
}
