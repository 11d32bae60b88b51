/**
 * The warning for accessors of the running version that the new one makes
 * fields (warnings.ts's layout warnings).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { type BuildResult, type ClassBuild, hasMigrator } from "./build.js";
import { methodsBecomingState } from "./methodsBecomingState.js";
import type { UpdateWarning } from "./warning.js";
import { warning } from "./warning.js";

/**
 * Accessors of the running version the new one turns into fields with an
 * initial value (`get length()` over the items becomes `this.length = 0`,
 * then kept up to date by `push`): the objects alive now got that value,
 * not what the accessor answered — a queue of 3 said 1 after its next push.
 * Whether the value is right only the patch's author knows (a `max` getter
 * becoming `max = -1`, unlimited, may mean it); said unless a migrator or
 * the patch gives the field its value.
 */
export function accessorsBecomingFields(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): UpdateWarning[] {
  if (cls.oldName === null || hasMigrator(className, build)) return [];
  const { valued, accessors } = methodsBecomingState(className, build, oldDefs);
  const oldFields = new Set(oldDefs.get(cls.oldName)?.fields.map((f) => f.name));
  // A value from an old field (renameField("n", "size") over `get size()`) is what it held.
  const carried = (f: string) => oldFields.has(cls.fieldOrigins.get(f) ?? "");
  return valued
    .filter((f) => accessors.has(f) && !cls.initialisers.has(f) && !carried(f))
    .map((f) =>
      warning(
        "MM_NO_INITIAL_VALUE",
        className,
        f,
        `accessor \`${f}\` of the running version is a field of the new one`,
        `the objects alive now got its initial value, not what the accessor answered — if that is wrong, give the class a migrator that sets it (\`target.${f} = …\`)`,
      ),
    );
}
