/** The slots of an operation that carry a patch function (a live function, or its source alone). */
import type { Operation, PatchFunction } from "./operations.js";

export function functionsOf(op: Operation): { readonly key: string; readonly fn: PatchFunction }[] {
  switch (op.op) {
    case "addField":
      return op.initial ? [{ key: "initial", fn: op.initial }] : [];
    case "migrator":
      return [{ key: "migrator", fn: op.migrator }];
    case "replaceImplementation":
      return [{ key: "implementation", fn: op.implementation }];
    case "validateNamespace":
    case "validateInstances":
      return [{ key: "check", fn: op.check }];
    case "afterCommit":
    case "afterRollback":
      return [{ key: "hook", fn: op.hook }];
    default:
      return [];
  }
}
