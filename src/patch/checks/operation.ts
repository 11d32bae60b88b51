/**
 * Checks of one operation on its own, without any namespace: names that can
 * never be right, renames to the same name, a reorder that repeats a field,
 * methods that are not in method syntax. The builder, `Patch.fromJSON` and
 * the `Patch` constructor all run them, so a patch object is never
 * obviously wrong however it was made. Whether the classes and fields exist
 * is for the engine to decide against the live namespace.
 */
import type { Operation, OperationKind } from "../operations.js";
import { methodSourceProblem } from "./methodSource.js";
import {
  classNameProblem,
  fieldNameProblem,
  memberKeyProblem,
  staticFieldNameProblem,
} from "./names.js";
import { type OperationProblem, problem } from "./problem.js";
import { duplicates, shapeProblem } from "./shape.js";

export type { OperationProblem } from "./problem.js";

type OperationOf<K extends OperationKind> = Extract<Operation, { readonly op: K }>;
type Check<K extends OperationKind> = (op: OperationOf<K>) => OperationProblem | undefined;

/** The first problem of `op` taken on its own, or undefined when it is well formed. */
export function operationProblem(op: Operation): OperationProblem | undefined {
  const cls = "className" in op ? classNameProblem(op.className) : undefined;
  if (cls) return cls;
  const check = CHECKS[op.op] as Check<OperationKind>;
  return check(op);
}

function functionProblem(source: string, role: string): OperationProblem | undefined {
  if (source.trim().length === 0) return problem(`the ${role} has no source`);
  if (source.includes("[native code]")) {
    return problem(
      `the ${role} is a native or bound function, whose source cannot be carried by a patch; write it as a function literal`,
    );
  }
  return undefined;
}

/** Names in a list: each a field name, none twice. */
function fieldListProblem(
  fields: readonly string[],
  repeated: (twice: string[]) => string,
  details: Record<string, unknown> = {},
): OperationProblem | undefined {
  for (const f of fields) {
    const p = fieldNameProblem(f);
    if (p) return p;
  }
  const twice = duplicates(fields);
  return twice.length > 0 ? problem(repeated(twice), { ...details, field: twice[0] }) : undefined;
}

const none = (): undefined => undefined;

/** `renames` maps a new field to the old field whose value it takes: both are field names. */
function renamesProblem(
  renames: Readonly<Record<string, string>> | undefined,
): OperationProblem | undefined {
  for (const [to, from] of Object.entries(renames ?? {})) {
    const p =
      fieldNameProblem(to, "renamed field name") ?? fieldNameProblem(from, "old field name");
    if (p) return p;
  }
  return undefined;
}

const renameClass: Check<"renameClass"> = (op) =>
  classNameProblem(op.to, "new class name") ??
  (op.to === op.className
    ? problem(`class ${op.className} cannot be renamed to its own name`, {
        className: op.className,
      })
    : undefined);

const addField: Check<"addField"> = (op) =>
  fieldNameProblem(op.field) ??
  (op.defaultSource !== undefined && op.defaultSource.trim() === ""
    ? problem(
        `field ${op.field}: the default is an empty expression (leave it out for undefined)`,
        {
          field: op.field,
        },
      )
    : undefined) ??
  (op.before === undefined
    ? undefined
    : (fieldNameProblem(op.before, "`before` field name") ??
      (op.before === op.field
        ? problem(`field ${op.field} cannot be inserted before itself`, { field: op.field })
        : undefined))) ??
  (op.initial
    ? functionProblem(op.initial.source, `initial value of field ${op.field}`)
    : undefined);

const renameField: Check<"renameField"> = (op) =>
  fieldNameProblem(op.field) ??
  fieldNameProblem(op.to, "new field name") ??
  (op.to === op.field
    ? problem(`field ${op.className}.${op.field} cannot be renamed to its own name`, {
        className: op.className,
        field: op.field,
      })
    : undefined);

const reorderFields: Check<"reorderFields"> = (op) =>
  op.order.length === 0
    ? problem(`the new order of ${op.className}'s fields is empty`, { className: op.className })
    : fieldListProblem(
        op.order,
        (twice) =>
          `the new order of ${op.className}'s fields lists ${twice.join(", ")} more than once`,
        { className: op.className },
      );

const changeSuperclass: Check<"changeSuperclass"> = (op) =>
  op.superclass === null
    ? undefined
    : (classNameProblem(op.superclass, "superclass name") ??
      (op.superclass === op.className
        ? problem(`class ${op.className} cannot extend itself`, { className: op.className })
        : undefined));

const insertSuperclass: Check<"insertSuperclass"> = (op) => {
  if (op.shape.superclass !== undefined) {
    return problem(
      `the inserted class ${op.shape.name} takes ${op.className}'s current superclass; leave its superclass out`,
      { className: op.className, superclass: op.shape.superclass },
    );
  }
  return (
    shapeProblem(op.shape) ??
    (op.shape.name === op.className
      ? problem(`class ${op.className} cannot be inserted above itself`, {
          className: op.className,
        })
      : undefined)
  );
};

const splitClass: Check<"splitClass"> = (op) => {
  if (op.fields.length === 0) {
    return problem(`splitting ${op.className} needs at least one field to move`, {
      className: op.className,
    });
  }
  const fields = fieldListProblem(
    op.fields,
    (twice) => `field ${twice.join(", ")} is listed more than once`,
  );
  if (fields) return fields;
  const into = classNameProblem(op.into, "new class name");
  if (into) return into;
  if (op.into === op.className) {
    return problem(`class ${op.className} cannot be split into itself`, {
      className: op.className,
    });
  }
  const via = fieldNameProblem(op.via, "`via` field name");
  if (via) return via;
  if (op.fields.includes(op.via)) {
    return problem(
      `field ${op.via} would be both moved into ${op.into} and kept in ${op.className} as the link to it; choose another \`via\` name`,
      { className: op.className, field: op.via },
    );
  }
  return undefined;
};

const validation = (
  op: OperationOf<"validateNamespace"> | OperationOf<"validateInstances">,
): OperationProblem | undefined =>
  op.name.trim().length === 0
    ? problem("the validation has no name")
    : functionProblem(op.check.source, `check of validation ${JSON.stringify(op.name)}`);

const hook = (
  op: OperationOf<"afterCommit"> | OperationOf<"afterRollback">,
): OperationProblem | undefined =>
  op.name.trim().length === 0
    ? problem(`the ${op.op} hook has no name`)
    : functionProblem(op.hook.source, `${op.op} hook ${JSON.stringify(op.name)}`);

const emptyDefault = (field: string, defaultSource: string | undefined) =>
  defaultSource !== undefined && defaultSource.trim() === ""
    ? problem(
        `static field ${field}: the initialiser is an empty expression (leave it out for undefined)`,
        { field },
      )
    : undefined;

const staticWithDefault = (
  op: OperationOf<"addStaticField"> | OperationOf<"reinitialiseStaticField">,
): OperationProblem | undefined =>
  staticFieldNameProblem(op.field) ?? emptyDefault(op.field, op.defaultSource);

const renameStaticField: Check<"renameStaticField"> = (op) =>
  staticFieldNameProblem(op.field) ??
  staticFieldNameProblem(op.to, "new static field name") ??
  (op.to === op.field
    ? problem(`static field ${op.className}.${op.field} cannot be renamed to its own name`, {
        className: op.className,
        field: op.field,
      })
    : undefined);

const CHECKS: { readonly [K in OperationKind]: Check<K> } = {
  addStaticField: staticWithDefault,
  removeStaticField: (op) => staticFieldNameProblem(op.field),
  renameStaticField,
  reinitialiseStaticField: staticWithDefault,
  addClass: (op) => shapeProblem(op.shape),
  removeClass: none,
  renameClass,
  addField,
  removeField: (op) => fieldNameProblem(op.field),
  pullUpField: (op) => fieldNameProblem(op.field),
  pushDownField: (op) => fieldNameProblem(op.field),
  renameField,
  reorderFields,
  changeSuperclass,
  insertSuperclass,
  addMethod: (op) =>
    memberKeyProblem(op.method.key, op.method.static) ?? methodSourceProblem(op.method),
  replaceMethod: (op) =>
    memberKeyProblem(op.method.key, op.method.static) ?? methodSourceProblem(op.method),
  removeMethod: (op) => memberKeyProblem(op.key),
  splitClass,
  migrator: (op) => functionProblem(op.migrator.source, `migrator of ${op.className}`),
  replaceImplementation: (op) =>
    renamesProblem(op.renames) ??
    functionProblem(op.implementation.source, `implementation of ${op.className}`),
  validateNamespace: validation,
  validateInstances: validation,
  afterCommit: hook,
  afterRollback: hook,
  policy: none,
};
