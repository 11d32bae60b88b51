/**
 * A field a new implementation declares again over its superclass's is read
 * as the superclass's (readClassDefinition.ts ownFields): one property. The
 * superclass it is judged against is the running one, which its handle
 * stands for. When the same patch takes the field out of every class above
 * — a field moved up to the superclass and then back down (`metamorph
 * dev`, an editor's undo) — nothing above declares it any more and it is
 * the class's own again; read as the superclass's, the patch was refused as
 * one that would drop it (phases/redeclaredFields.ts), and the suggested
 * way out (two patches) was refused the same way. Given back to the draft
 * here, once every operation has run; the objects keep their value (a new
 * implementation's field named like one the objects hold carries it).
 * The other way round, a field read as the class's own because the running
 * superclass lacked it, which the patch's superclass now declares (moved
 * up while the subclass still declares it), is the superclass's: one
 * property, as the reader would have said had the new superclass run.
 */
import type { FieldDefinition } from "../../mop/classDefinition.js";
import { hasSetter, readClassDefinition } from "../../mop/readClassDefinition.js";
import { readableClassSource } from "../../mop/source/readableSource.js";
import type { Draft, Drafts } from "./drafts.js";

export function judgeRedeclaredFields(drafts: Drafts): void {
  for (const d of drafts.classes.values()) {
    const implementation = d.implementation;
    if (implementation === undefined || d.superclass === null) continue;
    if (Object.hasOwn(implementation, "metamorphFields")) continue;
    const above = fieldsAbove(drafts, d);
    const parsed = above && readableClassSource(implementation);
    if (!parsed) continue;
    const has = new Set(d.fields.map((f) => f.name));
    // Most builds: nothing the source declares is either above or missing.
    const candidates =
      d.fields.some((f) => above.has(f.name)) ||
      parsed.fields.some((f) => !has.has(f.name) && !above.has(f.name));
    if (!candidates) continue;
    const read = new Set(readClassDefinition(implementation).fields.map((f) => f.name));
    const declaredAbove = d.fields.filter((f) => read.has(f.name) && above.has(f.name));
    if (declaredAbove.length > 0) takeAbove(d, declaredAbove);
    const assigned = new Set(parsed.assignedFields);
    const prototype = implementation.prototype as object;
    const back = parsed.fields.filter(
      (f) =>
        !read.has(f.name) &&
        !has.has(f.name) &&
        !above.has(f.name) &&
        !(assigned.has(f.name) && hasSetter(prototype, f.name)),
    );
    if (back.length === 0) continue;
    const bound = d.sameScope === true ? [] : parsed.moduleBoundFields;
    for (const field of back) {
      const own = bound.includes(field.name) ? { name: field.name } : field;
      insertInSourceOrder(d, own, parsed.fields);
      d.fieldOrigins.set(field.name, null);
      if (bound.includes(field.name)) d.moduleBound = [...(d.moduleBound ?? []), field.name];
    }
  }
}

/** Leaves `fields` to the superclass that now declares them. */
function takeAbove(d: Draft, fields: readonly FieldDefinition[]): void {
  const names = new Set(fields.map((f) => f.name));
  d.fields = d.fields.filter((f) => !names.has(f.name));
  for (const name of names) d.fieldOrigins.delete(name);
  if (d.moduleBound !== undefined) d.moduleBound = d.moduleBound.filter((f) => !names.has(f));
}

/** The fields the classes above `d` have after the patch; undefined where the chain leaves the namespace (their fields are not the drafts'). */
function fieldsAbove(drafts: Drafts, d: Draft): Set<string> | undefined {
  const names = new Set<string>();
  const seen = new Set<Draft>([d]);
  for (let at = d.superclass; at !== null; ) {
    const above = drafts.classes.get(at);
    if (above === undefined || seen.has(above) || above.externalSuperclass !== undefined)
      return undefined;
    seen.add(above);
    for (const f of above.fields) names.add(f.name);
    at = above.superclass;
  }
  return names;
}

/** Puts `field` after the last field that comes before it in the class's source and the draft has. */
function insertInSourceOrder(
  d: Draft,
  field: FieldDefinition,
  order: readonly FieldDefinition[],
): void {
  const at = order.findIndex((f) => f.name === field.name);
  let after = -1;
  for (let i = at - 1; i >= 0 && after < 0; i--)
    after = d.fields.findIndex((f) => f.name === order[i]!.name);
  d.fields = [...d.fields.slice(0, after + 1), field, ...d.fields.slice(after + 1)];
}
