/**
 * The source text createClass compiles for a class definition: a field
 * initialiser (plain functions, see classSource), the body holding the
 * methods, and the class's own name bound to what the program calls the
 * class.
 */
import { createsByAssignment, defineFieldSource } from "./assignable.js";
import type { ClassDefinition, MethodDefinition } from "./classDefinition.js";

/** The member source as it stands in a class body, with `static` exactly when the definition says so. */
function memberSource(method: MethodDefinition): string {
  const body = method.source.trim().replace(/^static\s+/, "");
  return method.static ? `static ${body}` : body;
}

export function fieldInitialiser(expression: string | undefined): string {
  return expression === undefined || expression.trim() === "" ? "undefined" : `(${expression})`;
}

/**
 * `key in init` is what V8 inlines; it also sees what the record inherits, so
 * names that plain objects inherit (`constructor`, `toString`, …) take the
 * slower `Object.hasOwn`. Measured (bench mop.createClass.construction): the
 * generated constructor went from ~5× to ~1.25× the time of a hand-written class.
 */
/**
 * One line per field: the init object's value when it has the field, else
 * the initialiser. The value is read first and `in` asked only when it is
 * undefined (an explicit undefined still counts as given): a plain property
 * read lets V8 keep an init literal from ever being allocated, where `in` on
 * every construction makes it escape, doubling allocation.
 */
function fieldLines(definition: ClassDefinition, chain: object): string[] {
  const lines = definition.fields.length > 0 ? ["    let __v;"] : [];
  for (const field of definition.fields) {
    const key = JSON.stringify(field.name);
    const initial = fieldInitialiser(field.initializer);
    const value =
      field.name in Object.prototype
        ? `__init != null && Object.hasOwn(__init, ${key}) ? __init[${key}] : ${initial}`
        : `__init != null && ((__v = __init[${key}]) !== undefined || ${key} in __init) ? __v : ${initial}`;
    lines.push(
      createsByAssignment(chain, field.name)
        ? `    this[${key}] = ${value};`
        : `    ${defineFieldSource("this", field.name, value)}`,
    );
  }
  return lines;
}

/**
 * Generates the constructor's source. Constructors are plain functions, not
 * `class` syntax, because V8 (Node 20, measured) gives every object its own
 * hidden class when a class is constructed with a foreign `new.target`, which
 * is what a class handle forwarding to a class would have to do; a function's
 * writable `prototype` also lets every version of a class share one
 * prototype object. Methods are compiled inside a real class body so `super`
 * works, and copied onto the prototype.
 */
export function classSource(
  definition: ClassDefinition,
  superclass: Function | null,
  late: readonly string[] = [],
): string {
  const hasSuperclass = superclass !== null;
  const name = definition.name;
  const lines: string[] = [];
  lines.push(selfBinding(name, late));
  lines.push("function __initialise(__init) {");
  // Like super(): the superclass is the constructor's current [[Prototype]].
  if (hasSuperclass)
    lines.push("    Object.getPrototypeOf(__ctor)[__INITIALISE].call(this, __init);");
  lines.push(...fieldLines(definition, (superclass?.prototype as object) ?? Object.prototype));
  lines.push("}");
  lines.push(`const __ctor = function ${name}(__init) {`);
  lines.push(
    `  if (new.target === undefined) throw new TypeError("Class constructor ${name} cannot be invoked without 'new'");`,
  );
  lines.push("  __initialise.call(this, __init);");
  lines.push("};");
  lines.push(`const __home = ${homeSource(definition, hasSuperclass)};`);
  lines.push(
    "return { ctor: __ctor, home: __home, initialise: __initialise, setSelf: __setSelf, setLate: __setLate };",
  );
  return lines.join("\n");
}

/**
 * The class's own name in its methods and initialisers, and its setter:
 * what the program calls the class (its handle, once it has one: `new
 * Point()` in a method of Point builds a managed Point). The class body
 * holding the methods is anonymous, so that it does not bind the name to
 * itself: it did, and `new Point()` in a method built an object of that
 * body, with no fields and none of the class's statics (review advY4).
 * With the setter of the scope's late names (parameters of the generated
 * function: lateNames.ts).
 */
export function selfBinding(name: string, late: readonly string[] = []): string {
  // Only the names given: a namespace binds its classes one by one (lateNames.ts).
  const assign = late
    .map((n) => `if (Object.hasOwn(__late, "${n}")) ${n} = __late.${n};`)
    .join(" ");
  return `let ${name}; const __setSelf = (self) => { ${name} = self; }; const __setLate = (__late) => { ${assign} };`;
}

/** The class whose body holds the methods (their `super` home). */
export function homeSource(definition: ClassDefinition, hasSuperclass: boolean): string {
  const lines = [`class ${hasSuperclass ? "extends __superclass " : ""}{`];
  for (const method of definition.methods) lines.push(`  ${memberSource(method)}`);
  lines.push("}");
  return lines.join("\n");
}
