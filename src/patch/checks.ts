/**
 * Checks of one operation on its own, without any namespace: names that can
 * never be right, renames to the same name, a reorder that repeats a field,
 * methods that are not in method syntax. The builder, `Patch.fromJSON` and
 * the `Patch` constructor all run them, so a patch object is never
 * obviously wrong however it was made. Whether the classes and fields exist
 * is for the engine to decide against the live namespace.
 */
import type { MemberKey, MethodDefinition } from "../mop/classDefinition.js";
import { memberKeyName } from "../mop/classDefinition.js";
import { isValidClassName } from "../mop/createClass.js";
import type { ClassShape, Operation } from "./operations.js";

/** What is wrong with an operation; the caller says where the operation is. */
export interface OperationProblem {
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

const problem = (message: string, details: Record<string, unknown> = {}): OperationProblem => ({
  message,
  details,
});

export function classNameProblem(name: string, role = "class name"): OperationProblem | undefined {
  if (name.length === 0) return problem(`the ${role} is empty`, { className: name });
  if (!isValidClassName(name)) {
    return problem(
      `${JSON.stringify(name)} is not a valid ${role} (a class name is an identifier and not a reserved word)`,
      { className: name },
    );
  }
  return undefined;
}

export function fieldNameProblem(field: string, role = "field name"): OperationProblem | undefined {
  if (field.length === 0) return problem(`the ${role} is empty`, { field });
  if (field.startsWith("#")) {
    return problem(
      `${JSON.stringify(field)}: private # fields cannot be added, removed or renamed by a patch`,
      { field },
    );
  }
  // Assigning `this["__proto__"]` in a constructor would change the object's prototype, not add a field.
  if (field === "__proto__") return problem(`"__proto__" cannot be a field name`, { field });
  return undefined;
}

function memberKeyProblem(key: MemberKey): OperationProblem | undefined {
  if (typeof key === "string") {
    return key.length === 0 ? problem("the member name is empty", { member: key }) : undefined;
  }
  return key.symbol.length === 0
    ? problem("a symbol member key needs a description (Symbol.for key or Symbol.xxx)", {
        member: memberKeyName(key),
      })
    : undefined;
}

const ACCESSOR = /^(?:get|set)(?:\s+[^\s(]|\s*[[\\"'])/;

/**
 * Whether `source` can stand in a class body as the member `method` says.
 * Arrow functions and `function` expressions print without a method name, so
 * the text alone tells them apart from method syntax — except a shorthand
 * method named `function`, which only its key can confirm.
 */
export function methodSourceProblem(method: MethodDefinition): OperationProblem | undefined {
  const name = memberKeyName(method.key);
  const details = { member: name };
  const source = method.source.trim().replace(/^static\s+/, "");
  const example = `e.g. ${typeof method.key === "string" ? name : `[${method.key.symbol}]`}() { … }`;
  if (source.length === 0) return problem(`member ${name} has no source`, details);
  if (
    /^async\s+function\b/.test(source) ||
    (/^function\b/.test(source) && !isShorthandNamedFunction(source, method.key))
  ) {
    return problem(
      `member ${name} is a function expression (${sourceHead(source)}); patches need method syntax, ${example}`,
      details,
    );
  }
  if (/^\(/.test(source) || /^(?:async\s*)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*=>/.test(source)) {
    return problem(
      `member ${name} is an arrow function (${sourceHead(source)}); patches need method syntax, ${example}`,
      details,
    );
  }
  if (/^class\b(?!\s*\()/.test(source)) {
    return problem(`member ${name} is a class, not a method`, details);
  }
  if (source.includes("[native code]")) {
    return problem(
      `member ${name} is a native or bound function, whose source cannot be carried by a patch`,
      details,
    );
  }
  const accessor = ACCESSOR.test(source);
  if (method.kind === "method" && accessor) {
    return problem(`member ${name} is declared as a method but its source is an accessor`, details);
  }
  if (method.kind !== "method" && !(accessor && source.startsWith(method.kind))) {
    const role = method.kind === "get" ? "getter" : "setter";
    return problem(
      `member ${name} is declared as a ${role} but its source is not one (${sourceHead(source)}); write ${method.kind} ${name}(…) { … }`,
      details,
    );
  }
  return undefined;
}

function isShorthandNamedFunction(source: string, key: MemberKey): boolean {
  return key === "function" && /^function\s*\(/.test(source);
}

function sourceHead(source: string): string {
  const line = source.replace(/\s+/g, " ");
  return line.length <= 30 ? line : `${line.slice(0, 29)}…`;
}

function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const n of names) (seen.has(n) ? twice : seen).add(n);
  return [...twice];
}

function shapeProblem(shape: ClassShape): OperationProblem | undefined {
  const nameProblem = classNameProblem(shape.name);
  if (nameProblem) return nameProblem;
  if (shape.superclass != null) {
    const p = classNameProblem(shape.superclass, "superclass name");
    if (p) return p;
    if (shape.superclass === shape.name) {
      return problem(`class ${shape.name} cannot extend itself`, { className: shape.name });
    }
  }
  for (const [list, role] of [
    [shape.fields ?? [], "field"],
    [shape.staticFields ?? [], "static field"],
  ] as const) {
    for (const f of list) {
      const p = fieldNameProblem(f.name, `${role} name`);
      if (p) return p;
    }
    const twice = duplicates(list.map((f) => f.name));
    if (twice.length > 0) {
      return problem(`class ${shape.name} declares ${role} ${twice.join(", ")} twice`, {
        className: shape.name,
        field: twice[0],
      });
    }
  }
  const members = new Set<string>();
  for (const m of shape.methods ?? []) {
    const p = memberKeyProblem(m.key) ?? methodSourceProblem(m);
    if (p) return p;
    const id = `${m.static ? "static " : ""}${m.kind} ${memberKeyName(m.key)}`;
    if (members.has(id)) {
      return problem(`class ${shape.name} declares ${id} twice`, {
        className: shape.name,
        member: memberKeyName(m.key),
      });
    }
    members.add(id);
  }
  return undefined;
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

/** The first problem of `op` taken on its own, or undefined when it is well formed. */
export function operationProblem(op: Operation): OperationProblem | undefined {
  const cls = "className" in op ? classNameProblem(op.className) : undefined;
  if (cls) return cls;
  switch (op.op) {
    case "addClass":
      return shapeProblem(op.shape);
    case "removeClass":
      return undefined;
    case "renameClass":
      return (
        classNameProblem(op.to, "new class name") ??
        (op.to === op.className
          ? problem(`class ${op.className} cannot be renamed to its own name`, {
              className: op.className,
            })
          : undefined)
      );
    case "addField":
      return (
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
          : undefined)
      );
    case "removeField":
    case "pullUpField":
    case "pushDownField":
      return fieldNameProblem(op.field);
    case "renameField":
      return (
        fieldNameProblem(op.field) ??
        fieldNameProblem(op.to, "new field name") ??
        (op.to === op.field
          ? problem(`field ${op.className}.${op.field} cannot be renamed to its own name`, {
              className: op.className,
              field: op.field,
            })
          : undefined)
      );
    case "reorderFields": {
      if (op.order.length === 0) {
        return problem(`the new order of ${op.className}'s fields is empty`, {
          className: op.className,
        });
      }
      for (const f of op.order) {
        const p = fieldNameProblem(f);
        if (p) return p;
      }
      const twice = duplicates(op.order);
      return twice.length > 0
        ? problem(
            `the new order of ${op.className}'s fields lists ${twice.join(", ")} more than once`,
            {
              className: op.className,
              field: twice[0],
            },
          )
        : undefined;
    }
    case "changeSuperclass":
      if (op.superclass === null) return undefined;
      return (
        classNameProblem(op.superclass, "superclass name") ??
        (op.superclass === op.className
          ? problem(`class ${op.className} cannot extend itself`, { className: op.className })
          : undefined)
      );
    case "insertSuperclass":
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
    case "addMethod":
    case "replaceMethod":
      return memberKeyProblem(op.method.key) ?? methodSourceProblem(op.method);
    case "removeMethod":
      return memberKeyProblem(op.key);
    case "splitClass": {
      if (op.fields.length === 0) {
        return problem(`splitting ${op.className} needs at least one field to move`, {
          className: op.className,
        });
      }
      for (const f of op.fields) {
        const p = fieldNameProblem(f);
        if (p) return p;
      }
      const twice = duplicates(op.fields);
      if (twice.length > 0) {
        return problem(`field ${twice.join(", ")} is listed more than once`, { field: twice[0] });
      }
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
    }
    case "migrator":
      return functionProblem(op.migrator.source, `migrator of ${op.className}`);
    case "replaceImplementation":
      return functionProblem(op.implementation.source, `implementation of ${op.className}`);
    case "validateNamespace":
    case "validateInstances":
      if (op.name.trim().length === 0) return problem("the validation has no name");
      return functionProblem(op.check.source, `check of validation ${JSON.stringify(op.name)}`);
    case "policy":
      return undefined;
  }
}
