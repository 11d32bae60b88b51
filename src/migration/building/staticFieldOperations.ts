/**
 * The static-field operations applied to the drafts: they change a class's
 * `staticFields` and record, per static of the new version, where its value
 * comes from — the old static of another name (a rename) or nothing (`null`:
 * its initialiser's value, for an added or re-initialised static). Statics
 * not in `staticOrigins` keep the value of the same name, which is what
 * installing a version does anyway (see namespace/staticValues.ts). A class
 * given a new implementation takes the statics that class declares, but for
 * those its patch says to keep (`keepStatics`, classOperations.ts).
 */
import type { FieldDefinition } from "../../mop/classDefinition.js";
import type { Operation } from "../../patch/operations.js";
import type { Draft, Step } from "./drafts.js";

type Op<K extends Operation["op"]> = Extract<Operation, { op: K }>;

function origins(d: Draft): Map<string, string | null> {
  d.staticOrigins ??= new Map();
  return d.staticOrigins;
}

/**
 * The class of a draft that a static operation may change: not one given a
 * new implementation by the patch, whose statics are what that class
 * declares.
 */
function staticTarget(step: Step, className: string): Draft {
  const d = step.classNamed(className);
  if (d.implementation !== undefined) {
    step.refuse(
      `class ${className} gets a new implementation in this patch; its static fields are what that class declares (declare the value there instead)`,
      { className },
    );
  }
  return d;
}

function staticAt(step: Step, d: Draft, field: string): number {
  const i = d.staticFields.findIndex((f) => f.name === field);
  if (i < 0) {
    step.refuse(
      `class ${d.name} has no static field "${field}" (static fields: ${d.staticFields.map((f) => f.name).join(", ") || "none"})`,
      { className: d.name, field },
    );
  }
  return i;
}

function noStatic(step: Step, d: Draft, field: string): void {
  if (d.staticFields.some((f) => f.name === field))
    step.refuse(`class ${d.name} already has a static field "${field}"`, {
      className: d.name,
      field,
    });
}

const withInitialiser = (name: string, source: string | undefined): FieldDefinition =>
  source === undefined ? { name } : { name, initializer: source };

export function addStaticField(step: Step, op: Op<"addStaticField">): void {
  const d = staticTarget(step, op.className);
  noStatic(step, d, op.field);
  d.staticFields.push(withInitialiser(op.field, op.defaultSource));
  origins(d).set(op.field, null);
}

export function removeStaticField(step: Step, op: Op<"removeStaticField">): void {
  const d = staticTarget(step, op.className);
  d.staticFields.splice(staticAt(step, d, op.field), 1);
  origins(d).delete(op.field);
}

export function renameStaticField(step: Step, op: Op<"renameStaticField">): void {
  const d = staticTarget(step, op.className);
  const i = staticAt(step, d, op.field);
  noStatic(step, d, op.to);
  d.staticFields[i] = { ...d.staticFields[i]!, name: op.to };
  const known = origins(d);
  const origin = known.has(op.field) ? known.get(op.field)! : op.field;
  known.delete(op.field);
  known.set(op.to, origin);
}

export function reinitialiseStaticField(step: Step, op: Op<"reinitialiseStaticField">): void {
  const d = staticTarget(step, op.className);
  const i = staticAt(step, d, op.field);
  d.staticFields[i] = withInitialiser(op.field, op.defaultSource ?? d.staticFields[i]!.initializer);
  origins(d).set(op.field, null);
}
