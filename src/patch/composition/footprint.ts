/**
 * What one operation needs and creates, by name: the classes and fields that
 * must exist before it runs, the ones it brings into being, and whether it
 * reads the old state of instances. Composition checks compare these
 * footprints with what the earlier steps did.
 */
import type { Operation } from "../operations.js";

/** Class names an operation needs to exist before it runs. */
export function classesReferenced(op: Operation): string[] {
  switch (op.op) {
    case "addClass":
      return op.shape.superclass ? [op.shape.superclass] : [];
    case "changeSuperclass":
      return op.superclass === null ? [op.className] : [op.className, op.superclass];
    case "validateNamespace":
    case "afterCommit":
    case "afterRollback":
    case "policy":
      return [];
    default:
      return [op.className];
  }
}

/** Fields (of `op.className`) an operation needs to exist before it runs. */
export function fieldsReferenced(op: Operation): string[] {
  switch (op.op) {
    case "addField":
      return op.before === undefined ? [] : [op.before];
    case "removeField":
    case "renameField":
    case "pullUpField":
    case "pushDownField":
      return [op.field];
    case "reorderFields":
      return [...op.order];
    case "splitClass":
      return [...op.fields];
    default:
      return [];
  }
}

export function classesCreated(op: Operation): string[] {
  switch (op.op) {
    case "addClass":
    case "insertSuperclass":
      return [op.shape.name];
    case "renameClass":
      return [op.to];
    case "splitClass":
      return [op.into];
    default:
      return [];
  }
}

export function fieldsCreated(op: Operation): string[] {
  switch (op.op) {
    case "addField":
      return [op.field];
    case "renameField":
      return [op.to];
    case "splitClass":
      return [op.via];
    default:
      return [];
  }
}

/** Steps that derive values from the old state of `op.className`'s instances. */
export function readsOldState(op: Operation): boolean {
  // A split reads the values it moves out of each object, as a migrator would.
  return (
    op.op === "migrator" ||
    op.op === "splitClass" ||
    (op.op === "addField" && op.initial !== undefined)
  );
}
