/**
 * Reading and writing instance variables by name, checked against the
 * object's class definition (inherited fields first, then the class's own),
 * so that a typo is an error rather than a silent new property.
 */
import { InvalidArgumentError, UnknownFieldError } from "../errors.js";
import { classHandleOf, isClassHandle, superclassHandle } from "./classHandle.js";
import { readClassDefinition } from "./readClassDefinition.js";

const fieldCache = new WeakMap<Function, readonly string[]>();

/** Every instance field of `cls`, inherited ones first, in constructor order. */
export function fieldNamesOf(cls: Function): readonly string[] {
  if (isClassHandle(cls)) {
    const parent = superclassHandle(cls);
    const own = readClassDefinition(cls).fields.map((f) => f.name);
    return parent ? [...fieldNamesOf(parent), ...own] : own;
  }
  const cached = fieldCache.get(cls);
  if (cached) return cached;
  const parent = Object.getPrototypeOf(cls) as Function | null;
  const inherited =
    parent && parent !== Function.prototype && parent.prototype !== undefined
      ? fieldNamesOf(parent)
      : [];
  const names = [...inherited, ...readClassDefinition(cls).fields.map((f) => f.name)];
  fieldCache.set(cls, names);
  return names;
}

/** The class an object belongs to: its class handle when managed, else its constructor. */
export function classOf(obj: object): Function | undefined {
  const handle = classHandleOf(obj);
  if (handle) return handle;
  const ctor = (obj as { constructor?: unknown }).constructor;
  return typeof ctor === "function" && ctor !== Object ? ctor : undefined;
}

function checkedField(obj: object, name: string): void {
  if ((typeof obj !== "object" && typeof obj !== "function") || obj === null) {
    const type = obj === null ? "null" : typeof obj;
    throw new InvalidArgumentError(
      `instance variable "${String(name)}": ${type} is not an object, it has no instance variables`,
      { field: name, type },
    );
  }
  const cls = classOf(obj);
  const fields = cls ? fieldNamesOf(cls) : Object.keys(obj);
  if (!fields.includes(name)) {
    const className = cls?.name ?? "Object";
    throw new UnknownFieldError(
      `${className} has no instance variable "${name}" (it has: ${fields.join(", ") || "none"})`,
      { className, field: name },
    );
  }
}

export function readInstanceVariable(obj: object, name: string): unknown {
  checkedField(obj, name);
  return (obj as Record<string, unknown>)[name];
}

export function writeInstanceVariable(obj: object, name: string, value: unknown): void {
  checkedField(obj, name);
  (obj as Record<string, unknown>)[name] = value;
}
