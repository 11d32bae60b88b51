/**
 * Reading a class as data. Classes made by `createClass` and classes behind a
 * handle carry their definition. For ordinary classes the fields are learned,
 * in this order of preference:
 *  - declared: the caller lists them (`fields` option, or a `static
 *    metamorphFields` array on the class) — exact, always preferred;
 *  - source: read from the class's source text (`Function.prototype.toString`):
 *    class field declarations, then `this.x = …` statements at the top level
 *    of the constructor, in that order (the order V8 creates them in). Fields
 *    created conditionally, in loops, in other methods or by helpers are not
 *    seen;
 *  - observed: the own data properties of a sample instance (`observe`), minus
 *    the fields its superclasses define. Exact for that instance only.
 * What the source reader could not learn is listed in the definition's
 * `unsupported` notes.
 */
import type {
  ClassDefinition,
  FieldDefinition,
  FieldOrigin,
  MethodDefinition,
} from "./classDefinition.js";
import { describeMembers } from "./classDefinition.js";
import { currentVersion, handleOfPrototype, isClassHandle } from "./classHandle.js";
import { originalMembersOf } from "./originalMembers.js";
import { readClassSource } from "./source/parse.js";
import type { ParsedClass } from "./source/parsedClass.js";
import { createdDefinition } from "./createClass.js";

export interface ReadClassDefinitionOptions {
  /** The instance fields of the class itself, in constructor order. */
  readonly fields?: readonly (string | FieldDefinition)[];
  /** A sample instance to observe the fields of. */
  readonly observe?: object;
}

function superclassName(cls: Function): string | null {
  const parent = Object.getPrototypeOf(cls) as Function | null;
  if (parent === null || parent === Function.prototype) return null;
  return parent.name || null;
}

function toField(field: string | FieldDefinition): FieldDefinition {
  return typeof field === "string" ? { name: field } : field;
}

function declaredFields(cls: Function): readonly FieldDefinition[] | undefined {
  if (!Object.hasOwn(cls, "metamorphFields")) return undefined;
  const declared = (cls as unknown as { metamorphFields: unknown }).metamorphFields;
  return Array.isArray(declared) ? declared.map((f) => toField(f as string)) : undefined;
}

function inheritedFieldNames(cls: Function): Set<string> {
  const names = new Set<string>();
  for (
    let p = Object.getPrototypeOf(cls);
    p && p !== Function.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    for (const f of fieldsIfReadable(p as Function)) names.add(f.name);
  }
  return names;
}

/**
 * A superclass's fields, or none where it cannot be read (a native class
 * such as `Error` or `Map`, at the top of the chain): the readable classes
 * below it still count (an error hierarchy's subclass re-assigning `name`).
 */
function fieldsIfReadable(cls: Function): readonly FieldDefinition[] {
  try {
    return readClassDefinition(cls).fields;
  } catch {
    return [];
  }
}

const PROTOTYPE_SKIP: ReadonlySet<PropertyKey> = new Set(["constructor"]);
const STATIC_SKIP: ReadonlySet<PropertyKey> = new Set(["length", "name", "prototype"]);

/**
 * Methods and accessors actually present on the class; the source text of
 * each comes from the parsed class where it has it (exact member text), else
 * from the function itself.
 */
function reflectMethods(cls: Function, sourced: readonly MethodDefinition[]): MethodDefinition[] {
  const id = (m: MethodDefinition) => `${m.static}|${m.kind}|${JSON.stringify(m.key)}`;
  const bySource = new Map(sourced.map((m) => [id(m), m] as const));
  return [
    ...describeMembers(ownMembers(cls), false, PROTOTYPE_SKIP),
    // A static holding a class, an arrow or a `function` (tar's `Pack.Sync =
    // PackSync`) is a value, not a method: as a method its text would have
    // to stand in a class body, and every version metamorph derives from
    // the class failed to compile. It is a static field (staticFieldsOf).
    ...describeMembers(cls, true, STATIC_SKIP).filter(
      (m) => bySource.has(id(m)) || isMethodSyntax(m.source),
    ),
  ].map((m) => bySource.get(id(m)) ?? m);
}

/**
 * The object holding `cls`'s own instance members: its prototype, unless
 * that is a class handle's stable prototype now holding another version's
 * (the class was registered, then updated): then the members it was
 * registered with.
 */
function ownMembers(cls: Function): object {
  const prototype = cls.prototype as object;
  const handle = handleOfPrototype(prototype);
  if (handle === undefined || currentVersion(handle).ctor === cls) return prototype;
  return originalMembersOf(cls) ?? prototype;
}

/** Whether a function's text is method syntax (`run() {…}`, `get x() {…}`), which can stand in a class body. */
export function isMethodSyntax(source: string): boolean {
  return !(
    /^(?:async\s+)?function\b/.test(source) ||
    /^class\b/.test(source) ||
    isArrow(source) ||
    source.includes("[native code]")
  );
}

/**
 * Whether `source` is an arrow function: `x => …`, `async x => …`, or a
 * parenthesised parameter list — balanced, since a default may hold
 * parentheses (`(a = g()) => a`) — followed by `=>`. A method named
 * `async` (`async(a) {…}`) has no arrow after its parameters.
 */
export function isArrow(source: string): boolean {
  if (/^(?:async\s+)?[A-Za-z_$][\w$]*\s*=>/.test(source)) return true;
  const open = /^(?:async\s*)?\(/.exec(source);
  if (open === null) return false;
  let depth = 0;
  let quote: string | null = null;
  for (let i = open[0].length - 1; i < source.length; i++) {
    const c = source[i]!;
    if (quote !== null) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return /^\s*=>/.test(source.slice(i + 1));
  }
  return false;
}

/**
 * The parsed fields, without those the constructor only assigns
 * (`this.x = …`, never declares or defines) that are not the class's own:
 * - where the class or a superclass has a setter of that name, the
 *   assignment runs the setter (p-queue's `this.concurrency =
 *   options.concurrency` validates and stores into `_concurrency`), so
 *   instances get no such field;
 * - where a superclass has that field, the assignment writes the inherited
 *   field (js-sdsl's PriorityQueue sets `this.i`, its base's size, after
 *   `super()`), which stays the superclass's.
 * Read as fields of the class, both were accepted at registration and then
 * made every update of the class refused (`duplicate-field`). The same for
 * a field the class declares again over its superclass's (p2-es's
 * `GSSolver { type = Solver.GS }`, drizzle-orm's column `enumValues`): the
 * object has one such property, where the superclass's constructor put it.
 */
function ownFields(parsed: ParsedClass, cls: Function): readonly FieldDefinition[] {
  const parent = Object.getPrototypeOf(cls) as unknown;
  const extended = parent !== null && parent !== Function.prototype;
  if (parsed.assignedFields.length === 0 && !extended) return parsed.fields;
  let inherited: Set<string> | undefined;
  const notOwn = new Set<string>();
  const assigned = new Set(parsed.assignedFields);
  for (const { name } of parsed.fields) {
    if (assigned.has(name) && hasSetter(cls.prototype as object | null, name)) {
      notOwn.add(name);
      continue;
    }
    if (!extended) continue;
    inherited ??= inheritedFieldNames(cls);
    if (inherited.has(name)) notOwn.add(name);
  }
  return notOwn.size === 0 ? parsed.fields : parsed.fields.filter((f) => !notOwn.has(f.name));
}

/** Whether the first property `name` up from `prototype` is an accessor with a setter. */
export function hasSetter(prototype: object | null, name: string): boolean {
  for (let p = prototype; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const d = Reflect.getOwnPropertyDescriptor(p, name);
    if (d !== undefined) return d.set !== undefined;
  }
  return false;
}

const NOT_STATIC_FIELDS: ReadonlySet<string> = new Set([
  "length",
  "name",
  "prototype",
  "constructor",
  "__proto__",
]);

/**
 * The class's static data fields: those its source declares (`static x =
 * …`, `static { this.x = … }`), then the enumerable own data statics it
 * holds that its source does not show, with no initializer. TypeScript
 * below ES2022 (or without useDefineForClassFields, before ES2022) emits
 * `static count = 0` as an assignment after the class — `C.count = 0;`,
 * `Object.defineProperty(C, "count", { …, value: 0 })`, `(_a = class C {},
 * _a.count = 0, _a)` or a static block's IIFE — which the class's own text
 * does not include: without them here, `keepStatics` refused such a static
 * and an update reset its running value (a `nextId` counter back to 0).
 */
function staticFieldsOf(cls: Function, parsed: ParsedClass): readonly FieldDefinition[] {
  const known = new Set(parsed.staticFields.map((f) => f.name));
  const found: FieldDefinition[] = [];
  for (const key of Object.getOwnPropertyNames(cls)) {
    if (known.has(key) || NOT_STATIC_FIELDS.has(key) || key.startsWith("#")) continue;
    const d = Reflect.getOwnPropertyDescriptor(cls, key);
    if (d === undefined || !("value" in d)) continue;
    // A function that is not a method is data, enumerable or not (it is
    // not among the methods); other non-enumerable data stays unlisted.
    if (typeof d.value === "function") {
      if (isMethodSyntax(Function.prototype.toString.call(d.value))) continue;
    } else if (!d.enumerable) continue;
    found.push({ name: key });
  }
  return found.length === 0 ? parsed.staticFields : [...parsed.staticFields, ...found];
}

/** Reads a class as a plain, serialisable definition. */
export function readClassDefinition(
  cls: Function,
  options: ReadClassDefinitionOptions = {},
): ClassDefinition {
  if (isClassHandle(cls)) return currentVersion(cls).definition;
  const created = createdDefinition(cls);
  if (created) return created;

  const parsed = readClassSource(cls);
  let fields: readonly FieldDefinition[] = ownFields(parsed, cls);
  let fieldOrigin: FieldOrigin = "source";
  const declared = options.fields?.map(toField) ?? declaredFields(cls);
  if (declared) {
    fields = declared;
    fieldOrigin = "declared";
  } else if (options.observe) {
    const inherited = inheritedFieldNames(cls);
    fields = Object.keys(options.observe)
      .filter((name) => !inherited.has(name))
      .map((name) => ({ name }));
    fieldOrigin = "observed";
  }
  return {
    name: cls.name,
    superclass: superclassName(cls),
    fields,
    methods: reflectMethods(cls, parsed.methods),
    staticFields: staticFieldsOf(cls, parsed),
    hasPrivateMembers: parsed.hasPrivateMembers,
    version: 1,
    fieldOrigin,
    ...(parsed.unsupported.length > 0 ? { unsupported: parsed.unsupported } : {}),
  };
}
