/**
 * A class definition is plain, serialisable data: what a class is, not the
 * class itself. Builders and change detectors work on definitions only; a
 * definition becomes a real class through `createClass`.
 */
import { InvalidClassDefinitionError } from "../errors.js";
import { type KeyGuesses, unknownKey } from "../unknownKeys.js";
import { isArray, isRevokedProxy, kindOf } from "../valueKinds.js";
import { namedAs } from "./methodName.js";

/**
 * A member key. Strings stand for themselves; symbols are written as
 * `{ symbol: "Symbol.iterator" }` (a well-known symbol) or `{ symbol: "app.id" }`
 * (a registered `Symbol.for` key) so that definitions stay serialisable.
 */
export type MemberKey = string | { readonly symbol: string };

export interface FieldDefinition {
  readonly name: string;
  /**
   * JavaScript expression source that computes the field's initial value in a
   * fresh object (`this` is the object under construction, earlier fields are
   * already set). Absent when the initial value is unknown (ordinary classes
   * whose constructors compute it).
   */
  readonly initializer?: string;
}

export type MethodKind = "method" | "get" | "set";

export interface MethodDefinition {
  readonly key: MemberKey;
  readonly kind: MethodKind;
  readonly static: boolean;
  /** Method-definition source text as it would stand in a class body, e.g. `area() { return this.w * this.h; }`. */
  readonly source: string;
}

/** How the fields of a class were learned. */
export type FieldOrigin = "created" | "declared" | "source" | "observed";

export interface ClassDefinition {
  readonly name: string;
  /** Name of the superclass in the same namespace, or null for a root class. */
  readonly superclass: string | null;
  /**
   * For a root class that extends a class outside the namespace (`Map`,
   * `Error`, `HTMLElement`, a package's class): that class's name. It is an
   * external binding, never updated; absent when the root extends nothing.
   */
  readonly externalSuperclass?: string;
  /** Instance fields of this class only (not inherited), in constructor order. */
  readonly fields: readonly FieldDefinition[];
  /** Instance and static methods and accessors, string and symbol keyed. */
  readonly methods: readonly MethodDefinition[];
  /** Static data fields, with initialisers where known. */
  readonly staticFields: readonly FieldDefinition[];
  /** Whether the class body declares private `#` members. */
  readonly hasPrivateMembers: boolean;
  /** 1 for the first version of a class in a namespace, then one more per update. */
  readonly version: number;
  readonly fieldOrigin: FieldOrigin;
  /**
   * What reading an ordinary class's source could not learn, one note per
   * thing, for people: fields assigned only conditionally, in a loop or by
   * another method, computed keys, lowered private state, ... Absent when
   * there is nothing to say. Instances may hold such state; a migration
   * carries it over unchanged (never deletes it), and an update of the class
   * reports each note as a warning (`UpdateResult.warnings`).
   */
  readonly unsupported?: readonly string[];
}

const WELL_KNOWN_PREFIX = "Symbol.";

export function propertyToMemberKey(property: PropertyKey): MemberKey {
  if (typeof property === "string") return property;
  if (typeof property === "number") return String(property);
  const registered = Symbol.keyFor(property);
  if (registered !== undefined) return { symbol: registered };
  const description = property.description ?? "";
  if (description.startsWith(WELL_KNOWN_PREFIX)) return { symbol: description };
  // An unregistered symbol cannot round-trip through JSON; keep its description.
  return { symbol: description };
}

export function memberKeyName(key: MemberKey): string {
  return typeof key === "string" ? key : `[${key.symbol}]`;
}

export function sameMemberKey(a: MemberKey, b: MemberKey): boolean {
  return typeof a === "string" || typeof b === "string" ? a === b : a.symbol === b.symbol;
}

/** A piece of the code a definition carries as source: a method, or a field's initialiser. */
export type DefinitionCode =
  | { readonly source: string; readonly kind: "member"; readonly method: MethodDefinition }
  | { readonly source: string; readonly kind: "expression"; readonly field: string };

/** Every method's source and every (static) field's initialiser of `definition`, the empty ones left out. */
export function* codeOfDefinition(definition: ClassDefinition): Generator<DefinitionCode> {
  for (const method of definition.methods)
    if (method.source.trim() !== "") yield { source: method.source, kind: "member", method };
  for (const field of [...definition.fields, ...definition.staticFields])
    if (field.initializer !== undefined && field.initializer.trim() !== "")
      yield { source: field.initializer, kind: "expression", field: field.name };
}

/**
 * Turns the members of an object literal (methods in shorthand syntax,
 * getters, setters) into method definitions from their source text. Arrow
 * functions and `function` expressions have no method syntax and are refused
 * by `createClass`; closures of the literal are not kept.
 */
export function describeMembers(
  members: object,
  isStatic: boolean,
  skip: ReadonlySet<PropertyKey> = new Set(),
): MethodDefinition[] {
  const out: MethodDefinition[] = [];
  for (const property of Reflect.ownKeys(members)) {
    if (skip.has(property)) continue;
    const d = Reflect.getOwnPropertyDescriptor(members, property)!;
    const key = propertyToMemberKey(property);
    const parts: Array<[MethodKind, unknown]> =
      "value" in d
        ? [["method", d.value]]
        : [
            ["get", d.get],
            ["set", d.set],
          ];
    for (const [kind, fn] of parts) {
      if (typeof fn !== "function") continue;
      const source = Function.prototype.toString.call(fn);
      // A method reused under another key defines that key, as the object said.
      out.push({
        key,
        kind,
        static: isStatic,
        source: typeof key === "string" ? namedAs(source, key) : source,
      });
    }
  }
  return out;
}

/** What a caller writes to define a class: a definition with everything optional but the name. */
export interface ClassSpec {
  readonly name: string;
  readonly superclass?: string | null;
  readonly fields?: readonly (string | FieldDefinition)[];
  /** Method definitions, or an object literal whose methods and accessors are read as source. */
  readonly methods?: readonly MethodDefinition[] | object;
  readonly statics?: object;
  readonly staticFields?: readonly (string | FieldDefinition)[];
}

const toFieldDefinition = (f: string | FieldDefinition): FieldDefinition =>
  typeof f === "string" ? { name: f } : f;

/** Every key of a ClassSpec, of a field definition and of a method definition: Records, so that a key added there must be added here. */
export const SPEC_KEYS = Object.keys({
  name: true,
  superclass: true,
  fields: true,
  methods: true,
  statics: true,
  staticFields: true,
} satisfies Record<keyof ClassSpec, true>);
export const FIELD_KEYS = Object.keys({ name: true, initializer: true } satisfies Record<
  keyof FieldDefinition,
  true
>);
export const METHOD_KEYS = Object.keys({
  key: true,
  kind: true,
  static: true,
  source: true,
} satisfies Record<keyof MethodDefinition, true>);
/** Names callers reach for in a spec, and the key each means (offered only where that key is known). */
const GUESSES: KeyGuesses = new Map([
  ["extends", "superclass"],
  ["parent", "superclass"],
  ["members", "methods"],
  ["staticMethods", "statics"],
  ["static", "statics"],
  ["value", "initializer"],
  ["default", "initializer"],
  ["initialValue", "initializer"],
  ["isStatic", "static"],
  ["type", "kind"],
  ["name", "key"],
  ["body", "source"],
  ["code", "source"],
]);

/**
 * A key a spec part does not have was dropped without a word:
 * `defineClass({ name: "C", feilds: ["x"] })` defined a class without
 * fields, `{ name: "x", initialiser: "1" }` a field without its value.
 */
function refuseUnknownKey(value: object, known: readonly string[], part: string, name: unknown) {
  const unknown = unknownKey(value, known, part, GUESSES, "key");
  if (unknown === undefined) return;
  throw new InvalidClassDefinitionError(`class ${String(name)}: ${unknown.message}`, {
    className: name,
    key: unknown.key,
    known: [...known],
    ...(unknown.meant === undefined ? {} : { meant: unknown.meant }),
  });
}

/** The first key of a field definition that a field does not have, and what to say about it. */
export function unknownFieldKey(field: object): ReturnType<typeof unknownKey> {
  return unknownKey(field, FIELD_KEYS, "a field definition", GUESSES, "key");
}

/** The keys of a spec and of the definitions in its lists (a method list, or field lists). */
function refuseUnknownKeys(spec: ClassSpec): void {
  refuseUnknownKey(spec, SPEC_KEYS, "a class spec", spec.name);
  const lists = [
    [spec.fields, FIELD_KEYS, "a field definition"],
    [spec.staticFields, FIELD_KEYS, "a field definition"],
    [Array.isArray(spec.methods) ? spec.methods : undefined, METHOD_KEYS, "a method definition"],
  ] as const;
  for (const [list, known, part] of lists)
    for (const entry of (list ?? []) as readonly unknown[])
      if (kindOf(entry) === "object") refuseUnknownKey(entry as object, known, part, spec.name);
}

/** A spec whose parts are not what they say (from JavaScript, or through `any`) is refused before any is read. */
function checkSpecShape(spec: ClassSpec): void {
  if (kindOf(spec) !== "object") {
    throw new InvalidClassDefinitionError(
      `a class spec is an object ({ name, fields, methods }), not ${kindOf(spec)}`,
      { type: kindOf(spec) },
    );
  }
  for (const part of ["fields", "staticFields"] as const) {
    const value: unknown = spec[part];
    if (value !== undefined && !Array.isArray(value)) {
      throw new InvalidClassDefinitionError(
        `class ${String(spec.name)}: ${part} must be an array of field names or definitions, not ${kindOf(value)}`,
        { className: spec.name, part },
      );
    }
  }
  for (const part of ["methods", "statics"] as const) {
    const value: unknown = spec[part];
    if (value !== undefined && (typeof value !== "object" || value === null)) {
      throw new InvalidClassDefinitionError(
        `class ${String(spec.name)}: ${part} must be an object or an array of member definitions, not ${kindOf(value)}`,
        { className: spec.name, part },
      );
    }
  }
  refuseUnknownKeys(spec);
}

export function definitionFromSpec(spec: ClassSpec, version = 1): ClassDefinition {
  checkSpecShape(spec);
  const methods = Array.isArray(spec.methods)
    ? (spec.methods as MethodDefinition[])
    : spec.methods
      ? describeMembers(spec.methods, false)
      : [];
  return {
    name: spec.name,
    superclass: spec.superclass ?? null,
    fields: (spec.fields ?? []).map(toFieldDefinition),
    methods: [...methods, ...(spec.statics ? describeMembers(spec.statics, true) : [])],
    staticFields: (spec.staticFields ?? []).map(toFieldDefinition),
    hasPrivateMembers: false,
    version,
    fieldOrigin: "created",
  };
}

/**
 * Arguments from JavaScript (or through `any`) whose parts are not what they
 * say are refused before any is read: a TypeError from deep inside
 * ("definition.fields is not iterable") names nothing; an option createClass
 * does not know (`{ scoep: { Money } }`: methods compiled without Money) was
 * ignored.
 */
export function checkCreateArguments(
  definition: unknown,
  options: unknown,
  optionKeys: readonly string[],
): void {
  function refuse(message: string, part: string, value: unknown, more = {}): never {
    throw new InvalidClassDefinitionError(`createClass: ${message}`, {
      part,
      type: kindOf(value),
      ...more,
    });
  }
  if (kindOf(options) !== "object")
    refuse(`options must be an object, not ${kindOf(options)}`, "options", options);
  const unknown = unknownKey(options as object, optionKeys, "createClass");
  if (unknown !== undefined)
    refuse(unknown.message, "options", options, {
      option: unknown.key,
      known: [...optionKeys],
      ...(unknown.meant === undefined ? {} : { meant: unknown.meant }),
    });
  if (kindOf(definition) !== "object")
    refuse(`a class definition is an object, not ${kindOf(definition)}`, "definition", definition);
  const d = definition as Record<string, unknown>;
  if (typeof d.name !== "string") refuse("the class name is not a string", "name", d.name);
  for (const part of ["fields", "methods", "staticFields"]) {
    const want = part === "methods" ? "source" : "name";
    const list = d[part];
    const ok = (m: unknown) =>
      !isRevokedProxy(m) && typeof (m as Record<string, unknown> | null)?.[want] === "string";
    if (!isArray(list) || !list.every(ok))
      refuse(`class ${d.name}: ${part} must be an array of objects with a ${want}`, part, list);
  }
}
