/**
 * MM_OLD_RELEASE_VALUE for fields holding the running release's class
 * itself (`this.kind = Circle`, a factory's `this.Node = Node`) where this
 * update gives that class a new release (oldReleaseValues.ts says the
 * objects of such classes).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { thisAssignedNames } from "../mop/source/thisAssignedNames.js";
import { type BuildResult, fromAnotherScope } from "./build.js";
import { type FieldCover, unlessMigratorSets } from "./migratorWrites.js";
import { scopeBindings } from "./scopeBindings.js";
import { type UpdateWarning, warning } from "./warning.js";

const IDENTIFIER = "[A-Za-z_$][\\w$]*";

/** The fields `objects` hold the running release's classes in, or, with none at hand, those the running sources assign them to. */
export function runningClassFields(
  className: string,
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  before: readonly Function[],
  objects: readonly object[] | undefined,
  cover: (field: string) => FieldCover,
): UpdateWarning[] {
  const replaced = replacedRunningClasses(build, oldDefs);
  return objects === undefined
    ? classFields(className, classesAssigned(before, replaced), "may hold", cover)
    : classFields(className, classesHeld(objects, replaced), "holds", cover);
}

/**
 * Fields holding the running release's class itself (`this.kind = Circle`,
 * a factory's `this.Node = Node`) where this update gives that class a new
 * release: the objects keep the running release's constructor, so what
 * they construct after the commit has its fields (with the new release's
 * methods: a `d` the new `area()` reads is missing, and it returns NaN).
 */
function classFields(
  className: string,
  fields: ReadonlyMap<string, string>,
  verb: "holds" | "may hold",
  cover: (field: string) => FieldCover,
): UpdateWarning[] {
  return [...fields].flatMap(([field, name]) =>
    cover(field) === "named"
      ? []
      : [
          warning(
            "MM_OLD_RELEASE_VALUE",
            className,
            field,
            `field \`${field}\` ${verb} the running release's class ${name} itself (its constructor), which this update replaces: what the objects construct with it after the update is made by the running release's constructor, with its fields, not the new release's`,
            cover(field) === "unnamed"
              ? `${unlessMigratorSets(className, field)} to the class of the namespace (\`target.${field} = ${name}\`), or restart`
              : `give ${className} a migrator that sets \`${field}\` to the class of the namespace (\`target.${field} = ${name}\`, its handle, which makes the current release), or restart`,
          ),
        ],
  );
}

/** The running implementations this update replaces with another release's, with the class's name. */
function replacedRunningClasses(
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): Map<Function, string> {
  const replaced = new Map<Function, string>();
  for (const [name, c] of build.classes) {
    const running = c.oldName === null ? undefined : oldDefs.get(c.oldName);
    const change = fromAnotherScope(c, running);
    if (change?.running !== undefined) replaced.set(change.running, name);
  }
  return replaced;
}

/** The fields of `objects` holding a replaced running class, with its name. */
function classesHeld(
  objects: readonly object[],
  replaced: ReadonlyMap<Function, string>,
): Map<string, string> {
  const fields = new Map<string, string>();
  for (const object of objects)
    for (const field of Object.keys(object)) {
      const d = Object.getOwnPropertyDescriptor(object, field);
      const name = d !== undefined && "value" in d ? replaced.get(d.value as Function) : undefined;
      if (name !== undefined && !fields.has(field)) fields.set(field, name);
    }
  return fields;
}

/**
 * With no object at hand: the fields the running release's classes assign a
 * replaced class by name (`this.kind = Circle`), where the name is that
 * class in their scope (or, where no scope can be read, its name) — not a
 * parameter or local of the code that assigns it (a minifier names both
 * `t`: thisAssignedNames.ts).
 */
function classesAssigned(
  before: readonly Function[],
  replaced: ReadonlyMap<Function, string>,
): Map<string, string> {
  const binding = scopeBindings(before);
  const fields = new Map<string, string>();
  for (const text of before.map((c) => Function.prototype.toString.call(c)))
    for (const [field, value] of parsedAssignments(text) ?? assignedByText(text)) {
      const bound = binding(value);
      const held = [...replaced].find(([running]) =>
        bound === undefined ? running.name === value : running === bound,
      );
      if (held !== undefined && !fields.has(field)) fields.set(field, held[1]);
    }
  return fields;
}

/** thisAssignedNames, or undefined where the page runtime carries no parser (dev/vitePageStandIns.ts). */
function parsedAssignments(text: string): [string, string][] | undefined {
  try {
    return thisAssignedNames(text);
  } catch {
    return undefined;
  }
}

/** `this.x = Ident` read from the text alone, where it does not parse. */
function assignedByText(text: string): [string, string][] {
  const assignment = new RegExp(
    `\\bthis\\s*\\.\\s*(${IDENTIFIER})\\s*=\\s*(${IDENTIFIER})\\s*[;,}\\n]`,
    "g",
  );
  return [...text.matchAll(assignment)].map(([, field, value]) => [field!, value!]);
}
