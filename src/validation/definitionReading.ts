/**
 * Reading class definitions that may be malformed (they may come from JSON):
 * superclass links, field names and accessor names, each read without
 * trusting the definition's types.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { fieldNameRefusal } from "../namespace/names.js";
import { show } from "./describe.js";

/**
 * Field names: any non-empty string works as a property key, except `#x`
 * (private names cannot be reflected or copied) and `__proto__`, which a
 * constructor's `this["__proto__"] = v` would turn into a prototype change
 * instead of a field.
 */
export function fieldNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return `${show(name)} is not a string`;
  if (name.length === 0) return "the empty string is not a field name";
  if (name.startsWith("#"))
    return `"${name}" is private; private fields cannot be declared as data fields`;
  if (name === "__proto__")
    return `"__proto__" would set the prototype instead of creating a field`;
  return fieldNameRefusal(name);
}

export function superclassOf(definition: ClassDefinition): string | null {
  const superclass: unknown = definition.superclass;
  return typeof superclass === "string" ? superclass : null;
}

export function validFieldNames(definition: ClassDefinition): string[] {
  const fields: unknown = definition.fields;
  if (!Array.isArray(fields)) return [];
  const names: string[] = [];
  for (const field of fields as readonly unknown[]) {
    const name: unknown =
      typeof field === "object" && field !== null ? (field as { name?: unknown }).name : undefined;
    if (fieldNameProblem(name) === undefined) names.push(name as string);
  }
  return names;
}

/** Instance (non-static), string-keyed getters and setters: the only members that can hijack a field. */
export function accessorNames(
  definition: ClassDefinition,
): { name: string; kind: "get" | "set" }[] {
  const methods: unknown = definition.methods;
  if (!Array.isArray(methods)) return [];
  const out: { name: string; kind: "get" | "set" }[] = [];
  const seen = new Set<string>();
  for (const method of definition.methods) {
    if (method.static || (method.kind !== "get" && method.kind !== "set")) continue;
    if (typeof method.key !== "string" || seen.has(method.key)) continue;
    seen.add(method.key);
    out.push({ name: method.key, kind: method.kind });
  }
  return out;
}
