/**
 * Names a patch can never use: empty or invalid class names, private or
 * prototype-changing field names, member keys without a name.
 */
import type { MemberKey } from "../../mop/classDefinition.js";
import { memberKeyName } from "../../mop/classDefinition.js";
import { isValidClassName } from "../../mop/createClass.js";
import {
  classNameRefusal,
  fieldNameRefusal,
  staticFieldNameRefusal,
} from "../../namespace/names.js";
import { type OperationProblem, problem } from "./problem.js";

export function classNameProblem(name: string, role = "class name"): OperationProblem | undefined {
  if (name.length === 0) return problem(`the ${role} is empty`, { className: name });
  if (!isValidClassName(name)) {
    return problem(
      `${JSON.stringify(name)} is not a valid ${role} (a class name is an identifier and not a reserved word)`,
      { className: name },
    );
  }
  const unsafe = classNameRefusal(name);
  return unsafe === undefined ? undefined : problem(unsafe, { className: name });
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
  const refused = fieldNameRefusal(field);
  return refused === undefined ? undefined : problem(`the ${role}: ${refused}`, { field });
}

export function memberKeyProblem(key: MemberKey, isStatic = false): OperationProblem | undefined {
  if (typeof key === "string") {
    if (key.length === 0) return problem("the member name is empty", { member: key });
    // A method body cannot be a constructor (class syntax makes it the
    // constructor, which a patch does not replace this way), `__proto__`
    // would shadow every object's prototype accessor, and a static
    // `prototype` is a SyntaxError.
    const reserved = isStatic ? key === "prototype" : key === "constructor" || key === "__proto__";
    return reserved
      ? problem(
          `${isStatic ? "a static" : "an instance"} method cannot be named "${key}"${key === "constructor" ? " (a new constructor comes with a new implementation: replaceImplementation)" : ""}`,
          { member: key },
        )
      : undefined;
  }
  return key.symbol.length === 0
    ? problem("a symbol member key needs a description (Symbol.for key or Symbol.xxx)", {
        member: memberKeyName(key),
      })
    : undefined;
}

/** A static data field's name: a field name, and not the class's `prototype`. */
export function staticFieldNameProblem(
  field: string,
  role = "static field name",
): OperationProblem | undefined {
  if (field.length === 0) return problem(`the ${role} is empty`, { field });
  const refused = staticFieldNameRefusal(field);
  return refused === undefined ? undefined : problem(`the ${role}: ${refused}`, { field });
}
