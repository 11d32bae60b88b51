/**
 * Turns a class definition into a real JavaScript class by generating its
 * source and evaluating it once. Generated classes are ordinary classes:
 * `new`, `instanceof`, `extends`, `super` and statics behave natively, and
 * every constructor writes its fields in declared order so all instances of
 * one version share one hidden class.
 */
import { InvalidClassDefinitionError } from "../errors.js";
import type { ClassDefinition, MethodDefinition } from "./classDefinition.js";
import { memberKeyName } from "./classDefinition.js";

/** Any class or constructor function. */
// biome-ignore lint/suspicious/noExplicitAny: constructor arguments are the class's own business
export type Constructor<T extends object = object> = abstract new (...args: any[]) => T;

export interface CreateClassOptions {
  /** The superclass constructor, required when `definition.superclass` is not null. */
  readonly superclass?: Constructor | null;
  /** Names visible to method and initialiser sources (what a module's imports would be). */
  readonly scope?: Readonly<Record<string, unknown>>;
}

const definitions = new WeakMap<Function, ClassDefinition>();

/** The definition a class was created from, if `createClass` made it. */
export function createdDefinition(cls: Function): ClassDefinition | undefined {
  return definitions.get(cls);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval".split(
    " ",
  ),
);

export function isValidClassName(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name);
}

/**
 * Checks what can be checked without evaluating anything; every message names
 * the class and the member at fault.
 */
export function checkDefinition(definition: ClassDefinition): void {
  const where = { className: definition.name };
  if (!isValidClassName(definition.name)) {
    throw new InvalidClassDefinitionError(`"${definition.name}" is not a valid class name`, where);
  }
  if (definition.superclass !== null && !isValidClassName(definition.superclass)) {
    throw new InvalidClassDefinitionError(
      `class ${definition.name}: superclass "${definition.superclass}" is not a valid class name`,
      { ...where, superclass: definition.superclass },
    );
  }
  const seen = new Set<string>();
  for (const field of [...definition.fields]) {
    if (field.name.length === 0 || field.name.startsWith("#")) {
      throw new InvalidClassDefinitionError(
        `class ${definition.name}: "${field.name}" is not a valid field name`,
        { ...where, field: field.name },
      );
    }
    if (seen.has(field.name)) {
      throw new InvalidClassDefinitionError(
        `class ${definition.name} defines field "${field.name}" twice`,
        { ...where, field: field.name },
      );
    }
    seen.add(field.name);
  }
  const members = new Set<string>();
  for (const method of definition.methods) {
    const id = `${method.static ? "static " : ""}${method.kind} ${memberKeyName(method.key)}`;
    if (members.has(id)) {
      throw new InvalidClassDefinitionError(
        `class ${definition.name} defines ${id} twice`,
        { ...where, member: memberKeyName(method.key) },
      );
    }
    members.add(id);
  }
}

/** The member source as it stands in a class body, with `static` exactly when the definition says so. */
function memberSource(method: MethodDefinition): string {
  const body = method.source.trim().replace(/^static\s+/, "");
  return method.static ? `static ${body}` : body;
}

function fieldInitialiser(expression: string | undefined): string {
  return expression === undefined || expression.trim() === "" ? "undefined" : `(${expression})`;
}

/** Generates the class source. The constructor takes an optional record of field values. */
export function classSource(definition: ClassDefinition, hasSuperclass: boolean): string {
  const lines: string[] = [];
  lines.push(`return class ${definition.name}${hasSuperclass ? " extends __superclass" : ""} {`);
  for (const field of definition.staticFields) {
    lines.push(`  static [${JSON.stringify(field.name)}] = ${fieldInitialiser(field.initializer)};`);
  }
  lines.push("  constructor(__init) {");
  if (hasSuperclass) lines.push("    super(__init);");
  for (const field of definition.fields) {
    const key = JSON.stringify(field.name);
    lines.push(
      `    this[${key}] = __init != null && Object.hasOwn(__init, ${key}) ? __init[${key}] : ${fieldInitialiser(field.initializer)};`,
    );
  }
  lines.push("  }");
  for (const method of definition.methods) lines.push(`  ${memberSource(method)}`);
  lines.push("};");
  return lines.join("\n");
}

/**
 * Creates a real class from a definition. Methods and initialisers are
 * evaluated from their source text; they see `options.scope` and globals but
 * no closure of the code that wrote them.
 */
export function createClass<T extends object = Record<string, unknown>>(
  definition: ClassDefinition,
  options: CreateClassOptions = {},
): Constructor<T> & (new (init?: Partial<T>) => T) {
  checkDefinition(definition);
  const superclass = options.superclass ?? null;
  if (definition.superclass !== null && superclass === null) {
    throw new InvalidClassDefinitionError(
      `class ${definition.name} extends ${definition.superclass}, but no superclass constructor was given`,
      { className: definition.name, superclass: definition.superclass },
    );
  }
  const scope = options.scope ?? {};
  const names = Object.keys(scope).filter((n) => IDENTIFIER.test(n) && n !== "__superclass");
  let cls: Function;
  try {
    const factory = new Function(
      "__superclass",
      ...names,
      `"use strict";\n${classSource(definition, superclass !== null)}`,
    );
    cls = factory(superclass, ...names.map((n) => scope[n])) as Function;
  } catch (error) {
    throw new InvalidClassDefinitionError(
      `class ${definition.name} does not compile: ${(error as Error).message}`,
      { className: definition.name, cause: (error as Error).message },
    );
  }
  definitions.set(cls, definition);
  return cls as Constructor<T> & (new (init?: Partial<T>) => T);
}
