/**
 * MM_FIELDS_DROPPED for the fields a class's objects lose when the patch
 * moves the class under other superclasses (`changeSuperclass`, or that of
 * a class above it): a Boss moved from under Monster to under Actor lost
 * `loot` (a shared sword) and `kind` from every object, while the update
 * said only "superclass Monster → Actor" (review advZ13). The loss
 * replaceImplementation's warning names where a new release brings its own
 * superclass (warnings.ts droppedFields), here for the classes the patch
 * changes with its own operations. Asked only for classes whose objects
 * migrate (a layout that stays the same keeps every value); not where a
 * migrator speaks for the objects under their new chain (it had the old
 * values at hand), nor for a field of the new chain that takes the value.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import type { BuildResult, ClassBuild } from "./build.js";
import { ancestry } from "./changes.js";
import { inheritedLayout, migratedUnderNewChain } from "./inheritedLayout.js";
import { quoted, type UpdateWarning, warning } from "./warning.js";

export function inheritedFieldsDropped(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): UpdateWarning[] {
  // A class handed in brings its own layout: droppedFields and `metamorph dev`'s plan speak for it.
  if (handedIn(cls)) return [];
  const inherited = inheritedLayout(className, cls, build, oldDefs);
  if (inherited === undefined || migratedUnderNewChain(className, build, oldDefs)) return [];
  // Where the migration takes each new field's value from (migrationPlan.ts
  // fieldSource): a field the patch adds (origin null) starts afresh, even
  // one named like a dropped field; a class handed in keeps it by name.
  const carried = new Set<string | null>();
  for (const { owner, field, origin } of inherited.after)
    carried.add(origin ?? (handedIn(build.classes.get(owner)!) ? field.name : null));
  for (const f of cls.definition.fields)
    carried.add(cls.fieldOrigins.has(f.name) ? cls.fieldOrigins.get(f.name)! : f.name);
  const dropped = [...inherited.before].filter((f) => !carried.has(f));
  if (dropped.length === 0) return [];
  const old = oldDefs.get(cls.oldName!)!;
  const owners = ancestry(cls.oldName!, oldDefs)
    .slice(1)
    .filter((n) => oldDefs.get(n)!.fields.some((f) => dropped.includes(f.name)));
  const one = dropped.length === 1;
  const them = one ? "it" : "them";
  const note = `its objects lose ${quoted(dropped)}, which they had from ${owners.join(", ")}: the class moves from under ${old.superclass ?? "no superclass"} to under ${cls.definition.superclass ?? "no superclass"}, and no class of its new chain carries ${one ? "that field" : "those fields"}`;
  const [field] = dropped as [string];
  return [
    warning(
      "MM_FIELDS_DROPPED",
      className,
      one ? field : undefined,
      note,
      `every object lost ${one ? "that value" : "those values"} — to keep ${them}, roll this update back and apply it again with ${one ? "the field" : "the fields"} added to ${className} (or its new superclass) and a migrator of ${className} that copies ${them} (\`addField("${className}", "${field}")\`, \`migrate("${className}", (old, target) => { target.${field} = old.${field}; })\`)`,
    ),
  ];
}

const handedIn = (c: ClassBuild) => c.implementation !== undefined && !c.implementationDerived;
