/**
 * The warning for old fields the new constructor makes aliases of new ones
 * (warnings.ts's layout warnings).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { type BuildResult, type ClassBuild, oldFieldsUnmigrated } from "./build.js";
import type { UpdateWarning } from "./warning.js";
import { warning } from "./warning.js";

const ALIAS = /^this\.([A-Za-z_$][\w$]*)$/;

/**
 * Fields the old version had that the new constructor sets to a new field
 * (commander 12: `this.registeredArguments = []; this._args =
 * this.registeredArguments`): migrated objects keep `_args` with their
 * arguments and get an empty `registeredArguments`, which the new methods
 * read.
 */
export function aliasSplits(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  const before = oldFieldsUnmigrated(className, cls, build, old);
  if (before === undefined) return [];
  return cls.definition.fields.flatMap((f) => {
    const target = f.initializer === undefined ? undefined : ALIAS.exec(f.initializer)?.[1];
    if (target === undefined || !before.has(f.name) || before.has(target)) return [];
    const note = `field \`${f.name}\` is now an alias of new field \`${target}\` (\`this.${f.name} = this.${target}\`)`;
    return [
      warning(
        "MM_ALIAS_SPLIT",
        className,
        f.name,
        note,
        `migrated objects keep their \`${f.name}\` and got \`${target}\` from its initial value, two values where fresh objects share one — give the patch a migrator that sets \`${target}\` from \`${f.name}\``,
      ),
    ];
  });
}
