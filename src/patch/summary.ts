/**
 * One readable line per operation. The same text names a step in error
 * messages (conflicts, invalid operations, missing hydration), so a person
 * sees the step as they would in `patch.summary()`. Every line is a single
 * line whatever the names and sources contain.
 */
import type {
  FieldDefinition,
  MemberKey,
  MethodDefinition,
  MethodKind,
} from "../mop/classDefinition.js";
import { memberKeyName } from "../mop/classDefinition.js";
import type { ClassShape, Operation } from "./operations.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const SOURCE_LIMIT = 60;

/** A name as written in a summary: bare when it is an identifier, quoted otherwise. */
export function displayName(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** Source text folded onto one line and cut to a readable length. */
export function displaySource(source: string, limit = SOURCE_LIMIT): string {
  const folded = source.replace(/\s+/g, " ").trim();
  return folded.length <= limit ? folded : `${folded.slice(0, limit - 1)}…`;
}

function displayKey(key: MemberKey): string {
  return typeof key === "string" ? displayName(key) : memberKeyName(key);
}

/** `area()`, `getter size`, `static create()`. */
export function displayMember(
  key: MemberKey,
  kind: MethodKind | undefined,
  isStatic: boolean,
): string {
  const prefix = isStatic ? "static " : "";
  switch (kind) {
    case "method":
      return `${prefix}method ${displayKey(key)}()`;
    case "get":
      return `${prefix}getter ${displayKey(key)}`;
    case "set":
      return `${prefix}setter ${displayKey(key)}`;
    default:
      return `${prefix}member ${displayKey(key)}`;
  }
}

function displayMethod(method: MethodDefinition): string {
  return displayMember(method.key, method.kind, method.static);
}

function displayField(field: FieldDefinition): string {
  return field.initializer === undefined
    ? displayName(field.name)
    : `${displayName(field.name)} = ${displaySource(field.initializer, 30)}`;
}

function displayShape(shape: ClassShape): string {
  const parts: string[] = [];
  const fields = shape.fields ?? [];
  const methods = shape.methods ?? [];
  const statics = shape.staticFields ?? [];
  if (fields.length > 0) parts.push(`fields ${fields.map(displayField).join(", ")}`);
  if (statics.length > 0) parts.push(`static fields ${statics.map(displayField).join(", ")}`);
  if (methods.length > 0) {
    parts.push(
      `${methods.map((m) => displayMethod(m).replace(/^(static )?method /, "$1")).join(", ")}`,
    );
  }
  return parts.length === 0 ? "(empty)" : `{ ${parts.join("; ")} }`;
}

const list = (names: readonly string[]): string => names.map(displayName).join(", ");

/** The summary line of one operation, e.g. `Picture: rename field path → basepath`. */
export function describeOperation(op: Operation): string {
  const cls = "className" in op ? `${displayName(op.className)}: ` : "";
  switch (op.op) {
    case "addClass": {
      const parent = op.shape.superclass ? ` extends ${displayName(op.shape.superclass)}` : "";
      return `add class ${displayName(op.shape.name)}${parent} ${displayShape(op.shape)}`;
    }
    case "removeClass":
      return `remove class ${displayName(op.className)}`;
    case "renameClass":
      return `rename class ${displayName(op.className)} → ${displayName(op.to)}`;
    case "addField": {
      const value =
        op.defaultSource === undefined ? "" : ` = ${displaySource(op.defaultSource, 40)}`;
      const derived = op.initial
        ? ` (migrated from old: ${displaySource(op.initial.source, 40)})`
        : "";
      const where = op.before === undefined ? "" : ` before ${displayName(op.before)}`;
      return `${cls}add field ${displayName(op.field)}${value}${where}${derived}`;
    }
    case "removeField":
      return `${cls}remove field ${displayName(op.field)}`;
    case "addStaticField":
    case "reinitialiseStaticField": {
      const value =
        op.defaultSource === undefined ? "" : ` = ${displaySource(op.defaultSource, 40)}`;
      const verb = op.op === "addStaticField" ? "add" : "re-initialise";
      return `${cls}${verb} static field ${displayName(op.field)}${value}`;
    }
    case "removeStaticField":
      return `${cls}remove static field ${displayName(op.field)}`;
    case "renameStaticField":
      return `${cls}rename static field ${displayName(op.field)} → ${displayName(op.to)}`;
    case "renameField":
      return `${cls}rename field ${displayName(op.field)} → ${displayName(op.to)}`;
    case "reorderFields":
      return `${cls}reorder fields ${list(op.order)}`;
    case "pullUpField":
      return `${cls}pull field ${displayName(op.field)} up into the superclass`;
    case "pushDownField":
      return `${cls}push field ${displayName(op.field)} down into the subclasses`;
    case "changeSuperclass":
      return op.superclass === null
        ? `${cls}remove superclass (becomes a root class)`
        : `${cls}change superclass to ${displayName(op.superclass)}`;
    case "insertSuperclass":
      return `${cls}insert superclass ${displayName(op.shape.name)} ${displayShape(op.shape)}`;
    case "addMethod":
      return `${cls}add ${displayMethod(op.method)}`;
    case "replaceMethod":
      return `${cls}replace ${displayMethod(op.method)}`;
    case "removeMethod":
      return `${cls}remove ${displayMember(op.key, op.kind, op.static)}`;
    case "splitClass":
      return `${cls}split fields ${list(op.fields)} into new class ${displayName(op.into)} (via field ${displayName(op.via)})`;
    case "migrator":
      return `${cls}migrate instances with ${displaySource(op.migrator.source)}`;
    case "replaceImplementation":
      return `${cls}replace implementation with ${displaySource(op.implementation.source)}${
        op.renames && Object.keys(op.renames).length > 0
          ? ` (renames: ${Object.entries(op.renames)
              .map(([to, from]) => `${from} → ${to}`)
              .join(", ")})`
          : ""
      }`;
    case "validateNamespace":
      return `validate ${displayName(op.name)}: ${displaySource(op.check.source)}`;
    case "validateInstances":
      return `validate every ${displayName(op.className)} instance, ${displayName(op.name)}: ${displaySource(op.check.source)}`;
    case "afterCommit":
      return `after the commit, run hook ${displayName(op.name)}: ${displaySource(op.hook.source)}`;
    case "afterRollback":
      return `after a rollback, run hook ${displayName(op.name)}: ${displaySource(op.hook.source)}`;
    case "policy":
      return `policy ${op.policy}`;
  }
}
