/**
 * Fields a new implementation keeps by name whose initial value is of
 * another kind (chess.js 1.4: `_positionCount = {}` became `new Map()`):
 * every object keeps its value of the old kind, which the new code then
 * uses as the new one (`this._positionCount.get` is not a function). Said,
 * unless a migrator speaks for the class's objects.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import type { BuildResult, ClassBuild } from "./build.js";
import { hasMigrator } from "./build.js";
import type { UpdateWarning } from "./warning.js";
import { warning } from "./warning.js";

/** What an initialiser makes, read from its text; undefined where the text does not tell. */
function kindOf(initializer: string | undefined): string | undefined {
  const text = initializer?.trim();
  if (text === undefined || text === "") return undefined;
  if (text.startsWith("{")) return "a plain object";
  if (text.startsWith("[")) return "an array";
  const made = /^new\s+([A-Za-z_$][\w$.]*)/.exec(text);
  if (made) return `a ${made[1]}`;
  if (/^["'`]/.test(text)) return "a string";
  if (/^-?(?:\d|\.\d)/.test(text)) return /n$/.test(text) ? "a bigint" : "a number";
  if (/^(?:true|false|!0|!1)$/.test(text)) return "a boolean";
  // null, undefined and anything computed: the program may fill it later with anything.
  return undefined;
}

export function changedInitialKinds(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  if (old === undefined || cls.implementation === undefined || cls.implementationDerived) return [];
  if (hasMigrator(className, build)) return [];
  const before = new Map(old.fields.map((f) => [f.name, f.initializer] as const));
  const warnings: UpdateWarning[] = [];
  for (const field of cls.definition.fields) {
    const from = cls.fieldOrigins.get(field.name) ?? field.name;
    if (!before.has(from)) continue;
    const [was, now] = [kindOf(before.get(from)), kindOf(field.initializer)];
    if (was === undefined || now === undefined || was === now) continue;
    warnings.push(
      warning(
        "MM_FIELD_KIND_CHANGED",
        className,
        field.name,
        `field \`${field.name}\` starts as ${now} in the new version (\`${field.initializer}\`), as ${was} in the running one (\`${before.get(from)}\`)`,
        `every object kept its own value, ${was}, which the new code may use as ${now} — give the patch a migrator that converts it (target.${field.name} = …)`,
      ),
    );
  }
  return warnings;
}
