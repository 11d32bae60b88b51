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
 *
 * The same holds when a package's next release is handed in with
 * `replaceImplementation` (review advZ27 #2): the class registered — the
 * running release's, which the program's `import` and the package's own
 * factories keep building with — still builds its layout, and kdbush 3's
 * `new KDBush(points)` after the update to 4 was an object of the handle
 * that threw on its first `range()`, without a word. The fields are told
 * against what the registered class builds, not the version before the
 * patch: after two such patches they differ.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { versionStates } from "../mop/classHandle.js";
import type { ClassVersion } from "../mop/handleState.js";
import type { ClassBuild } from "./build.js";
import type { UpdateWarning } from "./warning.js";
import { quoted, warning } from "./warning.js";

export function classBuildsOldLayout(
  className: string,
  cls: ClassBuild,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  if (cls.implementation === undefined || !old) return [];
  const written = writtenVersion(cls.implementation);
  if (written === undefined || written.ctor === cls.implementation) return [];
  const after = cls.definition.fields.map((f) => f.name);
  // Only a patch that changes the layout says it (a methods patch after one
  // that did would repeat it); measured against the fields the written
  // class builds, which are not the running version's after two such patches.
  if (
    sameNames(
      old.fields.map((f) => f.name),
      after,
    )
  )
    return [];
  const before = written.definition.fields.map((f) => f.name);
  // Fields in another order only: such objects read and write as migrated ones.
  const gone = before.filter((f) => !after.includes(f));
  const added = after.filter((f) => !before.includes(f));
  if (gone.length === 0 && added.length === 0) return [];
  const layout = [
    ...(gone.length > 0 ? [`keep ${quoted(gone)}, which the new version drops`] : []),
    ...(added.length > 0 ? [`lack ${quoted(added)}`] : []),
  ].join(" and ");
  const name = written.ctor.name;
  const derived = cls.implementationDerived === true;
  return [
    warning(
      "MM_CLASS_BUILDS_OLD_LAYOUT",
      className,
      undefined,
      derived
        ? `\`new ${name}()\` through the class itself (its own methods and static factories, its package, \`new obj.constructor()\`: the program's class, which \`obj.constructor\` stays) runs its own constructor: objects built so from now on ${layout}, under the new methods, and no update migrates them`
        : `the class registered as ${className}, which the running program and its package still hold (\`new ${name}()\` where the program imported it, the package's own factories), runs its own constructor: objects it builds from now on ${layout}, under the new release's methods, and no update migrates them`,
      derived
        ? "build them through the class handle the namespace gave (`namespace.classNamed(...)`), or hand the class's next version in with replaceImplementation, whose class then builds the new layout"
        : "build them through the class handle the namespace gave (`namespace.classNamed(...)`), and have the program import the new release's class where it constructs",
    ),
  ];
}

/**
 * The version whose class is the one the program wrote and registered (its
 * prototype is the handle's stable one, so what it builds answers to the
 * handle), when it was registered without `constructedOnlyThroughHandle`.
 */
function writtenVersion(ctor: Function): ClassVersion | undefined {
  // Asked after the commit: the version just installed is the handle's.
  const state = versionStates.get(ctor);
  if (state === undefined || !state.implementationConstructor) return undefined;
  return state.versions.find((v) => v.ctor.prototype === state.prototype);
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n) => b.includes(n));
}
