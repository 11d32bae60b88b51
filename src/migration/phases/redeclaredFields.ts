/**
 * Refusal of a patch that would silently take from a class's objects a
 * field the class declares again over its superclass's (detect phase).
 */
import { InvalidPatchError } from "../../errors.js";
import type { ClassDefinition } from "../../mop/classDefinition.js";
import { constructorOfDefinition } from "../../mop/classHandle.js";
import { readableClassSource } from "../../mop/source/readableSource.js";
import { type ClassBuild, definitionChain } from "../build.js";
import type { Built } from "./build.js";

/**
 * A field an ordinary class declares again over its superclass's
 * (`GSSolver { type = Solver.GS }`) is read as the superclass's
 * (readClassDefinition.ts ownFields): one property, where the superclass's
 * constructor puts it. An update that takes it out of every class above
 * would then take it out of the class's objects too, silently, though the
 * class still declares it. Refused, naming both.
 */
export function refuseRedeclaredFieldsLost(
  name: string,
  cls: ClassBuild,
  build: Built["build"],
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  changed: ReadonlySet<string>,
): void {
  if (cls.definition.fieldOrigin !== "source") return;
  const above = definitionChain(name, build).slice(1);
  if (!above.some((d) => changed.has(d.name))) return;
  // The class as written: its new implementation, or the running one (a
  // version the build derives to follow its superclass is generated code).
  const written =
    cls.implementation !== undefined && !cls.implementationDerived
      ? cls.implementation
      : cls.oldName === null
        ? undefined
        : constructorOfDefinition(oldDefs.get(cls.oldName)!);
  const parsed = readableClassSource(written);
  if (parsed === undefined) return;
  const own = new Set([...cls.definition.fields.map((f) => f.name), ...parsed.assignedFields]);
  const inherited = new Set(above.flatMap((d) => d.fields.map((f) => f.name)));
  // Only a field a class above declared before: one the patch takes out of
  // this class itself (removeField, renameField) is its own change, not lost.
  const declaredAbove = new Set<string>();
  for (
    let at = cls.oldName === null ? undefined : oldDefs.get(cls.oldName)?.superclass;
    typeof at === "string";
    at = oldDefs.get(at)?.superclass
  )
    for (const f of oldDefs.get(at)?.fields ?? []) declaredAbove.add(f.name);
  const lost = parsed.fields.find(
    (f) => declaredAbove.has(f.name) && !own.has(f.name) && !inherited.has(f.name),
  );
  if (lost === undefined) return;
  throw new InvalidPatchError(
    `class ${name} declares field "${lost.name}" again over a superclass's (metamorph reads it as the superclass's field: one property), and after this patch no class above ${name} declares it, so ${name}'s objects would lose it; keep "${lost.name}" in the superclass, or update ${name} in another patch first so that it no longer declares it`,
    { className: name, field: lost.name },
  );
}
