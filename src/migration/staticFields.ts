/**
 * The static-field operations applied to a class draft: they change the
 * definition's `staticFields` and record, per static the new version has,
 * where its value comes from — the old static of another name (a rename) or
 * nothing (`null`: the initialiser's value, for an added or re-initialised
 * static). Statics not in `origins` keep the value of the same name, which
 * is what installing a version does anyway.
 */
import { InvalidPatchError } from "../errors.js";
import type { FieldDefinition } from "../mop/classDefinition.js";
import type { Operation } from "../patch/operations.js";

export type StaticFieldOperation = Extract<
  Operation,
  {
    readonly op:
      | "addStaticField"
      | "removeStaticField"
      | "renameStaticField"
      | "reinitialiseStaticField";
  }
>;

export interface StaticDraft {
  readonly name: string;
  staticFields: FieldDefinition[];
  /** New static name → old static name, or null for the initialiser's value. */
  readonly staticOrigins: Map<string, string | null>;
}

export function isStaticFieldOperation(op: Operation): op is StaticFieldOperation {
  return (
    op.op === "addStaticField" ||
    op.op === "removeStaticField" ||
    op.op === "renameStaticField" ||
    op.op === "reinitialiseStaticField"
  );
}

export function applyStaticFieldOperation(
  d: StaticDraft,
  op: StaticFieldOperation,
  where: string,
  index: number,
): void {
  const refuse = (message: string, field: string): never => {
    throw new InvalidPatchError(`${where}: class ${d.name} ${message}`, {
      operation: index,
      className: d.name,
      field,
    });
  };
  const at = (field: string): number => {
    const i = d.staticFields.findIndex((f) => f.name === field);
    return i >= 0
      ? i
      : refuse(
          `has no static field "${field}" (static fields: ${d.staticFields.map((f) => f.name).join(", ") || "none"})`,
          field,
        );
  };
  const free = (field: string): void => {
    if (d.staticFields.some((f) => f.name === field))
      refuse(`already has a static field "${field}"`, field);
  };
  const withInitialiser = (field: string, source: string | undefined): FieldDefinition =>
    source === undefined ? { name: field } : { name: field, initializer: source };
  switch (op.op) {
    case "addStaticField":
      free(op.field);
      d.staticFields.push(withInitialiser(op.field, op.defaultSource));
      d.staticOrigins.set(op.field, null);
      break;
    case "removeStaticField":
      d.staticFields.splice(at(op.field), 1);
      d.staticOrigins.delete(op.field);
      break;
    case "renameStaticField": {
      const i = at(op.field);
      free(op.to);
      d.staticFields[i] = { ...d.staticFields[i]!, name: op.to };
      const origin = d.staticOrigins.has(op.field) ? d.staticOrigins.get(op.field)! : op.field;
      d.staticOrigins.delete(op.field);
      d.staticOrigins.set(op.to, origin);
      break;
    }
    case "reinitialiseStaticField": {
      const i = at(op.field);
      const source = op.defaultSource ?? d.staticFields[i]!.initializer;
      d.staticFields[i] = withInitialiser(op.field, source);
      d.staticOrigins.set(op.field, null);
      break;
    }
  }
}
