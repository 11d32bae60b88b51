/**
 * Names a namespace refuses, whatever made them (a class spec, a registered
 * class, a patch, JSON): names that would not be what they say once they are
 * a binding, a generated class or a field. The patch checks and the system
 * validations apply the same rules, so a name refused here is refused there
 * with the same reason.
 */
import { isValidClassName } from "../mop/createClass.js";

/**
 * Class names that would change the meaning of the generated class rather
 * than name it: a class's name is a binding in scope of its own constructor,
 * field initialisers and methods, and the generated constructor relies on
 * these globals (fields without an initialiser are `undefined`, fields are
 * read and the prototype chain walked through `Object`, a call without `new`
 * throws a `TypeError`). `__proto__` as a binding name would set the
 * prototype of the bindings record instead of binding anything.
 */
const UNSAFE_CLASS_NAMES: ReadonlyMap<string, string> = new Map([
  [
    "undefined",
    "it would shadow the global undefined, the value of every field without an initialiser",
  ],
  ["NaN", "it would shadow the global NaN inside the class"],
  ["Infinity", "it would shadow the global Infinity inside the class"],
  ["globalThis", "it would shadow globalThis inside the class"],
  ["Object", "the generated constructor uses the global Object, which it would shadow"],
  ["TypeError", "the generated constructor uses the global TypeError, which it would shadow"],
  [
    "__proto__",
    "as a binding name it would set the prototype of the namespace's bindings instead of binding a class",
  ],
]);

/**
 * Why `name` cannot name a class, or undefined when it can: an identifier,
 * not a reserved word, and none of the names above.
 */
export function classNameRefusal(name: unknown): string | undefined {
  if (typeof name !== "string") return `a class name is a string, not ${describe(name)}`;
  if (name.length === 0) return "a class name cannot be empty";
  if (!isValidClassName(name))
    return `${JSON.stringify(name)} is not a valid class name (an identifier, not a reserved word)`;
  const unsafe = UNSAFE_CLASS_NAMES.get(name);
  return unsafe === undefined
    ? undefined
    : `${JSON.stringify(name)} cannot name a class: ${unsafe}`;
}

/** Why `name` cannot be a binding of a namespace (a function's or a value's), or undefined. */
export function bindingNameRefusal(name: unknown): string | undefined {
  if (typeof name !== "string") return `a binding name is a string, not ${describe(name)}`;
  if (name.length === 0) return "a binding name cannot be empty";
  if (name === "__proto__")
    return `"__proto__" cannot be a binding: ${UNSAFE_CLASS_NAMES.get("__proto__")}`;
  return undefined;
}

/**
 * Why `name` cannot be a data field of a class, or undefined. `#x` is private
 * (it cannot be reflected or copied); `__proto__` assigned in a constructor
 * would change the object's prototype instead of creating a field;
 * `constructor` is a SyntaxError as a class field, and as an own property
 * would hide the class every instance reaches through `obj.constructor`.
 */
export function fieldNameRefusal(name: unknown): string | undefined {
  if (typeof name !== "string") return `a field name is a string, not ${describe(name)}`;
  if (name.length === 0) return "a field name cannot be empty";
  if (name.startsWith("#"))
    return `${JSON.stringify(name)} is private; private fields cannot be declared, added, removed or renamed as data fields`;
  if (name === "__proto__")
    return `"__proto__" would set the prototype instead of creating a field`;
  if (name === "constructor")
    return `"constructor" cannot be a field: class syntax forbids it, and it would hide the object's class`;
  return undefined;
}

/** Why `name` cannot be a static data field of a class: a field name, and not the class's `prototype`. */
export function staticFieldNameRefusal(name: unknown): string | undefined {
  if (name === "prototype")
    return `"prototype" cannot be a static field: class syntax forbids it, and it would replace the prototype of every instance`;
  return fieldNameRefusal(name);
}

function describe(value: unknown): string {
  return value === null ? "null" : typeof value;
}
