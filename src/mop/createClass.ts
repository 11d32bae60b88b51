/**
 * Turns a class definition into a real JavaScript class by generating its
 * source and evaluating it once. Generated classes are ordinary classes:
 * `new`, `instanceof`, `extends`, `super` and statics behave natively, and
 * every constructor writes its fields in declared order so all instances of
 * one version share one hidden class.
 */
import { InvalidClassDefinitionError } from "../errors.js";
import type { ClassDefinition } from "./classDefinition.js";
import { checkCreateArguments, memberKeyName } from "./classDefinition.js";
import {
  type Reuse,
  recordInitialiser,
  reusableInitialiser,
  reusingConstructor,
} from "./initialiserReuse.js";
import { keepUnchangedMembers } from "./memberReuse.js";
import { keepName } from "./keepName.js";
import { classSource, fieldInitialiser, homeSource, selfBinding } from "./classSource.js";
import { lateNamesIn, noteLateSetter } from "./lateNames.js";

/** Any class or constructor function. */
// biome-ignore lint/suspicious/noExplicitAny: constructor arguments are the class's own business
export type Constructor<T extends object = object> = abstract new (...args: any[]) => T;

export interface CreateClassOptions {
  /** The superclass constructor (made by createClass, or a class handle), required when `definition.superclass` is not null. */
  readonly superclass?: Constructor | null;
  /** Build objects on this existing prototype (a class handle's stable prototype) instead of a new one. */
  readonly prototype?: object;
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

/** Every key of CreateClassOptions: a Record, so that an option added there must be added here. */
const OPTION_KEYS = Object.keys({
  superclass: true,
  prototype: true,
  scope: true,
} satisfies Record<keyof CreateClassOptions, true>);

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
  for (const field of definition.fields) {
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
      throw new InvalidClassDefinitionError(`class ${definition.name} defines ${id} twice`, {
        ...where,
        member: memberKeyName(method.key),
      });
    }
    members.add(id);
  }
}

/**
 * Hidden static of every constructor metamorph makes: `(obj, init) => void`
 * writes all the class's fields (inherited first) on `obj`. Subclasses call
 * their superclass's through it instead of `super()`, so that a class handle
 * can forward it to the superclass's current version.
 */
export const INITIALISE_FIELDS: unique symbol = Symbol("metamorph.initialiseFields");
/** Hidden static: the object holding the version's instance methods (their `super` home). */
export const METHOD_HOME: unique symbol = Symbol("metamorph.methodHome");

function copyMembers(from: object, to: object, skip: readonly PropertyKey[]): void {
  for (const key of Reflect.ownKeys(from)) {
    if (!skip.includes(key))
      Object.defineProperty(to, key, Reflect.getOwnPropertyDescriptor(from, key)!);
  }
}

interface Generated {
  ctor: Function;
  home: Function;
  initialise: Function;
  setSelf: (self: unknown) => void;
  setLate: (values: Readonly<Record<string, unknown>>) => void;
}

/** Each created class's setter of its own name (selfBinding). */
const selfSetters = new WeakMap<Function, (self: unknown) => void>();

/**
 * Makes `ctor`'s own name, in the code of its methods and initialisers,
 * refer to `self`: the class handle a version of a managed class belongs
 * to. By default it is the created class itself.
 */
export function bindClassName(ctor: Function, self: Function): void {
  selfSetters.get(ctor)?.(self);
}

/**
 * Creates a real class from a definition: `new`, `instanceof`, `extends`
 * (also by ordinary `class X extends Created`), `super` in methods and statics
 * all behave as for `class` syntax. Methods and initialisers are evaluated
 * from their source text; they see `options.scope` and globals but no closure
 * of the code that wrote them.
 *
 * With `options.prototype`, the new constructor builds objects on that
 * existing prototype and the methods are NOT copied onto it: a class handle
 * installs them at commit (`installVersion`), so nothing live changes before.
 */
export function createClass<T extends object = Record<string, unknown>>(
  definition: ClassDefinition,
  options: CreateClassOptions = {},
): Constructor<T> & (new (init?: Partial<T>) => T) {
  checkCreateArguments(definition, options, OPTION_KEYS);
  return created<T>(definition, options, undefined);
}

/**
 * `createClass` for a new version of a class that replaces `previous` (its
 * running version). When createClass made `previous` from the same fields,
 * superclass link and scope, its field initialiser is reused: only the
 * methods are compiled (an edit of method bodies compiles no field code), and
 * fresh objects are built by the very same initialiser, so construction sites
 * keep their type feedback (initialiserReuse.ts). Internal: the shadow's.
 */
export function createVersion(
  definition: ClassDefinition,
  options: CreateClassOptions,
  previous: Constructor,
): Constructor {
  return created(definition, options, previous);
}

function created<T extends object>(
  definition: ClassDefinition,
  options: CreateClassOptions,
  previous: Constructor | undefined,
): Constructor<T> & (new (init?: Partial<T>) => T) {
  checkDefinition(definition);
  const superclass = options.superclass ?? null;
  checkCreation(definition, superclass);
  const scope = options.scope ?? {};
  const names = scopeNames(scope);
  const own = (key: symbol) =>
    previous === undefined ? undefined : Reflect.getOwnPropertyDescriptor(previous, key)?.value;
  const reuse: Reuse | undefined = previous && {
    ...{ definition, superclass, scope, previous, before: definitions.get(previous) },
    initialise: own(INITIALISE_FIELDS),
  };
  const reused = reuse === undefined ? null : reusableInitialiser(reuse);
  const declared = names.filter((n) => n !== definition.name);
  const late = lateNamesIn(scope).filter((n) => declared.includes(n));
  const { ctor, home, initialise, setSelf, setLate } = generate(
    definition,
    superclass,
    scope,
    declared,
    reused,
    late,
  );
  if (reuse) keepUnchangedMembers(reuse, home.prototype as object, own(METHOD_HOME));
  setSelf(ctor);
  selfSetters.set(ctor, setSelf);
  if (late.length > 0) noteLateSetter(scope, setLate);
  // Anonymous in its source (selfBinding): the name stack traces and tools show.
  Object.defineProperty(home, "name", { value: definition.name, configurable: true });
  const prototype =
    options.prototype ??
    Object.create(superclass === null ? Object.prototype : (superclass.prototype as object));
  ctor.prototype = prototype;
  if (!options.prototype) {
    copyMembers(home.prototype as object, prototype, []);
    Object.defineProperty(prototype, "constructor", {
      value: ctor,
      writable: true,
      configurable: true,
    });
  }
  Object.setPrototypeOf(ctor, superclass ?? Function.prototype);
  copyMembers(home, ctor, ["length", "name", "prototype"]);
  Object.defineProperty(ctor, INITIALISE_FIELDS, hidden(initialise));
  Object.defineProperty(ctor, METHOD_HOME, hidden(home.prototype));
  defineStatics(ctor, definition, names, scope);
  definitions.set(ctor, definition);
  recordInitialiser(ctor, scope, reused === null ? null : previous!);
  return ctor as unknown as Constructor<T> & (new (init?: Partial<T>) => T);
}

/** The scope's names a generated source can declare as parameters. */
function scopeNames(scope: Readonly<Record<string, unknown>>): string[] {
  const names: string[] = [];
  for (const n of Object.keys(scope)) if (IDENTIFIER.test(n) && !n.startsWith("__")) names.push(n);
  return names;
}

/**
 * Evaluates the static field initialisers onto `ctor`, in order. As in a
 * class body, the class's own name refers to the class being made (`static
 * DEFAULT = new Config()`), whatever the scope holds under it. A throwing
 * initialiser is a bad definition, reported before anything uses the class.
 */
/**
 * `defineStatics` for `fields` only, onto `ctor` (a version a handle will
 * install, not made by createClass: an ordinary class's derived version
 * gets the statics a patch adds or re-initialises, the others carried).
 */
export function defineStaticFields(
  ctor: Function,
  definition: ClassDefinition,
  fields: readonly ClassDefinition["staticFields"][number][],
  scope: Readonly<Record<string, unknown>>,
): void {
  defineStatics(ctor, { ...definition, staticFields: fields }, scopeNames(scope), scope);
}

function defineStatics(
  ctor: Function,
  definition: ClassDefinition,
  names: readonly string[],
  scope: Readonly<Record<string, unknown>>,
): void {
  if (definition.staticFields.length === 0) return;
  const params = [...names.filter((n) => n !== definition.name), definition.name];
  const args = [...params.slice(0, -1).map((n) => scope[n]), ctor];
  for (const field of definition.staticFields) {
    let value: unknown;
    try {
      const compute = new Function(
        ...params,
        `"use strict"; return ${fieldInitialiser(field.initializer)};`,
      );
      value = compute.call(ctor, ...args);
    } catch (error) {
      throw new InvalidClassDefinitionError(
        `class ${definition.name}: the initialiser of static field ${field.name} (${field.initializer ?? "undefined"}) threw ${String(error)}`,
        { className: definition.name, field: field.name, cause: error },
      );
    }
    (ctor as unknown as Record<string, unknown>)[field.name] = value;
  }
}

/** What createClass checks of its options and of method sources before compiling anything. */
function checkCreation(definition: ClassDefinition, superclass: Constructor | null): void {
  if (definition.superclass !== null && superclass === null) {
    throw new InvalidClassDefinitionError(
      `class ${definition.name} extends ${definition.superclass}, but no superclass constructor was given`,
      { className: definition.name, superclass: definition.superclass },
    );
  }
  if (
    superclass !== null &&
    typeof (superclass as unknown as Record<symbol, unknown>)[INITIALISE_FIELDS] !== "function"
  ) {
    throw new InvalidClassDefinitionError(
      `class ${definition.name} cannot extend ${superclass.name}: a created class extends only classes made by createClass or class handles`,
      { className: definition.name, superclass: superclass.name },
    );
  }
  for (const method of definition.methods) {
    const rewritten = /__vite_ssr_(?:dynamic_)?import_?\w*/.exec(method.source);
    if (rewritten) {
      throw new InvalidClassDefinitionError(
        `class ${definition.name}: method ${memberKeyName(method.key)} uses a module import that the bundler rewrote to ${rewritten[0]}; a method carried as source sees only globals and the \`scope\` option, so pass the import there and refer to it without a module prefix`,
        { className: definition.name, member: memberKeyName(method.key) },
      );
    }
  }
}

const hidden = (value: unknown) => ({
  value,
  writable: false,
  enumerable: false,
  configurable: true,
});

let generatedClasses = 0;

/** Compiles the generated source once, with the scope's names as parameters. */
function generate(
  definition: ClassDefinition,
  superclass: Constructor | null,
  scope: Readonly<Record<string, unknown>>,
  names: readonly string[],
  initialiser: Function | null,
  late: readonly string[],
): Generated {
  const hasSuperclass = superclass !== null;
  // Numbered, so that classes of identical definitions (two namespaces,
  // two versions) do not share compiled code and its type feedback.
  const numbered = `"use strict"; // metamorph class ${++generatedClasses}\n`;
  try {
    if (initialiser !== null) {
      // Only the methods are new: compile their class alone.
      const factory = new Function(
        "__superclass",
        "__name",
        ...names,
        `${numbered}${selfBinding(definition.name, late)}\nreturn { home: ${homeSource(definition, hasSuperclass)}, setSelf: __setSelf, setLate: __setLate };`,
      );
      const { home, setSelf, setLate } = factory(
        superclass,
        keepName,
        ...names.map((n) => scope[n]),
      ) as Pick<Generated, "home" | "setSelf" | "setLate">;
      return {
        ctor: reusingConstructor(definition.name, initialiser),
        home,
        initialise: initialiser,
        setSelf,
        setLate,
      };
    }
    const factory = new Function(
      "__superclass",
      "__INITIALISE",
      "__name",
      ...names,
      `${numbered}${classSource(definition, superclass, late)}`,
    );
    return factory(
      superclass,
      INITIALISE_FIELDS,
      keepName,
      ...names.map((n) => scope[n]),
    ) as Generated;
  } catch (error) {
    throw new InvalidClassDefinitionError(
      `class ${definition.name} does not compile: ${(error as Error).message}`,
      { className: definition.name, cause: (error as Error).message },
    );
  }
}
