/**
 * A class registered as the program wrote it (without
 * `constructedOnlyThroughHandle`) whose own fields a patch changes, with no
 * new implementation: metamorph derives the new version, which only the
 * handle runs. The class itself — its own methods and static factories
 * (`new Item()` reads its inner binding), its package, anything that holds
 * it, `new obj.constructor()` — still runs its own constructor, so what it
 * builds from now on has the old fields under the new methods (`3 x
 * undefined` from a `describe()` reading a renamed field), and no update
 * finds such objects to migrate them. It cannot be made to build the new
 * layout: its constructor is the program's code. `obj.constructor` stays
 * that class on purpose (classVersions.ts objectConstructor): what the
 * program and its libraries key by it would otherwise stop applying without
 * a word. So the update says so, naming the fields.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { versionStates } from "../mop/classHandle.js";
import { derivedFrom } from "../mop/derivedFrom.js";
import type { ClassBuild } from "./build.js";
import type { UpdateWarning } from "./warning.js";
import { quoted, warning } from "./warning.js";

export function classBuildsOldLayout(
  className: string,
  cls: ClassBuild,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  if (cls.implementationDerived !== true || cls.implementation === undefined || !old) return [];
  const written = derivedFrom(cls.implementation);
  if (written === undefined || versionStates.get(written)?.implementationConstructor !== true)
    return [];
  const before = old.fields.map((f) => f.name);
  const after = cls.definition.fields.map((f) => f.name);
  // Fields in another order only: such objects read and write as migrated ones.
  const gone = before.filter((f) => !after.includes(f));
  const added = after.filter((f) => !before.includes(f));
  if (gone.length === 0 && added.length === 0) return [];
  const layout = [
    ...(gone.length > 0 ? [`keep ${quoted(gone)}, which the new version drops`] : []),
    ...(added.length > 0 ? [`lack ${quoted(added)}`] : []),
  ].join(" and ");
  return [
    warning(
      "MM_CLASS_BUILDS_OLD_LAYOUT",
      className,
      undefined,
      `\`new ${written.name}()\` through the class itself (its own methods and static factories, its package, \`new obj.constructor()\`: the program's class, which \`obj.constructor\` stays) runs its own constructor: objects built so from now on ${layout}, under the new methods, and no update migrates them`,
      "build them through the class handle the namespace gave (`namespace.classNamed(...)`), or hand the class's next version in with replaceImplementation, whose class then builds the new layout",
    ),
  ];
}
