/**
 * The builder's argument checks that need the caller's values (functions,
 * objects, symbols), not just the operation: each turns one argument into
 * operation data or refuses it, naming the patch and the call.
 */
import { InvalidPatchError } from "../errors.js";
import type {
  ClassSpec,
  FieldDefinition,
  MemberKey,
  MethodDefinition,
} from "../mop/classDefinition.js";
import {
  definitionFromSpec,
  describeMembers,
  FIELD_KEYS,
  METHOD_KEYS,
  propertyToMemberKey,
  SPEC_KEYS,
} from "../mop/classDefinition.js";
import type { ClassShape, PatchFunction } from "./operations.js";
import { unknownOption } from "./optionKeys.js";
import { isObjectArgument, isRevokedProxy, kindOf } from "../valueKinds.js";

export const fail = (
  patchName: string,
  call: string,
  message: string,
  details: Record<string, unknown> = {},
): never => {
  throw new InvalidPatchError(`patch "${patchName}", ${call}: ${message}`, {
    patch: patchName,
    operation: call,
    ...details,
  });
};

/**
 * A builder call's options: an object (from JavaScript, or through `any`, it
 * may be anything) with only the keys the call knows (optionKeys.ts).
 */
export function requireOptions(
  options: unknown,
  patchName: string,
  call: string,
  known: readonly string[],
): void {
  if (!isObjectArgument(options)) {
    const type = kindOf(options);
    fail(patchName, call, `options must be an object { ${known.join(", ")} }, not ${type}`, {
      type,
    });
  }
  refuseUnknownKey(options as object, known, patchName, call);
}

/**
 * A key of `value` that `known` lacks, refused naming the call, the keys it
 * knows and the one likely meant: an option of the call's, or (`part` given)
 * a key of a part of its argument, such as a class spec.
 */
function refuseUnknownKey(
  value: object,
  known: readonly string[],
  patchName: string,
  call: string,
  part?: string,
): void {
  const unknown = unknownOption(value, known, part ?? call, part === undefined ? "option" : "key");
  if (unknown === undefined) return;
  fail(patchName, call, unknown.message, {
    [part === undefined ? "option" : "key"]: unknown.key,
    known: [...known],
    ...(unknown.meant === undefined ? {} : { meant: unknown.meant }),
  });
}

/**
 * A misspelt key of a class spec, or of one of its field definitions, was
 * dropped without a word: `addClass({ name: "C", feilds: ["x"] })` added a
 * class without fields, `{ name: "x", initialiser: "1" }` a field without
 * its value. Method definitions given as an array are checked here too
 * (else the spec reading refused them, as MM_INVALID_DEFINITION).
 */
function refuseUnknownSpecKeys(spec: object, patchName: string, call: string): void {
  refuseUnknownKey(spec, SPEC_KEYS, patchName, call, "a class spec");
  for (const part of ["fields", "staticFields", "methods"] as const) {
    const entries: unknown = (spec as ClassSpec)[part];
    if (!Array.isArray(entries)) continue;
    const [known, what] =
      part === "methods"
        ? [METHOD_KEYS, "a method definition"]
        : [FIELD_KEYS, "a field definition"];
    for (const entry of entries)
      if (typeof entry === "object" && entry !== null)
        refuseUnknownKey(entry, known, patchName, call, what);
  }
}

const INDEX = /^(?:0|[1-9]\d*)$/;

/** What JSON would drop or change in an object's own properties besides its values. */
function shapeProblem(value: object, path: string): string | undefined {
  if (Object.getOwnPropertySymbols(value).length > 0)
    return `${path} has a symbol-keyed property, which JSON would drop`;
  const names = Object.getOwnPropertyNames(value);
  if (Array.isArray(value)) {
    const extra = names.find((k) => k !== "length" && !INDEX.test(k));
    if (extra !== undefined)
      return `${path} is an array with a property ${JSON.stringify(extra)}, which JSON would drop`;
    for (let i = 0; i < value.length; i++)
      if (!Object.hasOwn(value, i))
        return `${path} has a hole at [${i}], which JSON would write as null`;
    return undefined;
  }
  const hidden = names.find((k) => !Object.prototype.propertyIsEnumerable.call(value, k));
  return hidden === undefined
    ? undefined
    : `${path}.${hidden} is not enumerable, which JSON would drop`;
}

/** A value that JSON writes and reads back unchanged (so its source text is a faithful copy). */
export function jsonProblem(value: unknown, path: string, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON cannot carry`;
    case "object": {
      if (value === null) return undefined;
      if (seen.has(value)) return `${path} refers back to itself`;
      const proto = Object.getPrototypeOf(value);
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
        return `${path} is a ${proto?.constructor?.name ?? "non-plain"} object, which JSON would not copy faithfully`;
      }
      const shape = shapeProblem(value, path);
      if (shape) return shape;
      seen.add(value);
      for (const [k, v] of Object.entries(value)) {
        const p = jsonProblem(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`, seen);
        if (p) return p;
      }
      seen.delete(value);
      return undefined;
    }
    default:
      return `${path} is ${typeof value === "undefined" ? "undefined" : `a ${typeof value}`}, which JSON cannot carry`;
  }
}

/**
 * The expression that makes a copy of JSON data `value` (checked by
 * jsonProblem). Its JSON text, except where JavaScript reads that text
 * otherwise: an own "__proto__" key (JSON.parse makes it a property; in an
 * object literal it would set the prototype, so `{"__proto__": {isAdmin:
 * true}}` gave every object an isAdmin) is written as a computed key, and
 * -0 stays -0.
 */
export function defaultSourceOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return literalOf(value);
}

function literalOf(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : JSON.stringify(value);
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(literalOf).join(",")}]`;
  const entries = Object.entries(value).map(
    ([k, v]) => `${k === "__proto__" ? '["__proto__"]' : JSON.stringify(k)}:${literalOf(v)}`,
  );
  return `{${entries.join(",")}}`;
}

export function liveFunction<F extends Function>(
  fn: unknown,
  patchName: string,
  call: string,
  role: string,
): PatchFunction<F> {
  if (typeof fn !== "function")
    fail(patchName, call, `the ${role} must be a function, got ${typeof fn}`);
  return { source: Function.prototype.toString.call(fn), fn: fn as F };
}

export function requireString(
  value: unknown,
  patchName: string,
  call: string,
  role: string,
): string {
  if (typeof value !== "string") {
    return fail(
      patchName,
      call,
      `the ${role} must be a string, got ${value === null ? "null" : typeof value}`,
    );
  }
  return value;
}

export function requireStrings(
  value: unknown,
  patchName: string,
  call: string,
  role: string,
): string[] {
  if (!Array.isArray(value))
    return fail(patchName, call, `the ${role} must be an array of field names`);
  return value.map((v, i) => requireString(v, patchName, call, `${role}[${i}]`));
}

/**
 * Method definitions from an object literal of members. A symbol key must be
 * one a patch can carry (well-known or `Symbol.for`); a non-function member
 * is refused rather than silently dropped.
 */
export function membersOf(
  members: unknown,
  isStatic: boolean,
  patchName: string,
  call: string,
): MethodDefinition[] {
  if (!isObjectArgument(members)) {
    return fail(patchName, call, "expected an object literal of methods, e.g. { area() { … } }");
  }
  for (const key of Reflect.ownKeys(members)) {
    const name = typeof key === "symbol" ? `[${key.description ?? ""}]` : key;
    if (typeof key === "symbol" && Symbol.keyFor(key) === undefined && !isWellKnown(key)) {
      fail(
        patchName,
        call,
        `member ${name} is keyed by a local Symbol(), which a patch cannot carry; use Symbol.for(${JSON.stringify(key.description ?? "")}) or a well-known symbol`,
        { member: name },
      );
    }
    const d = Reflect.getOwnPropertyDescriptor(members, key)!;
    if ("value" in d && typeof d.value !== "function") {
      fail(
        patchName,
        call,
        `member ${name} is not a function (a ${d.value === null ? "null" : typeof d.value}); fields are added with addField`,
        { member: name },
      );
    }
  }
  const methods = describeMembers(members, isStatic);
  if (methods.length === 0) fail(patchName, call, "the object has no methods");
  return methods;
}

function isWellKnown(key: symbol): boolean {
  const description = key.description ?? "";
  if (!description.startsWith("Symbol.")) return false;
  return (
    (Symbol as unknown as Record<string, unknown>)[description.slice("Symbol.".length)] === key
  );
}

export function memberKeyOf(key: unknown, patchName: string, call: string): MemberKey {
  if (typeof key === "string") return key;
  if (typeof key === "symbol") {
    if (Symbol.keyFor(key) === undefined && !isWellKnown(key)) {
      fail(
        patchName,
        call,
        "a local Symbol() cannot be carried by a patch; use Symbol.for(…) or a well-known symbol",
      );
    }
    return propertyToMemberKey(key);
  }
  if (
    typeof key === "object" &&
    key !== null &&
    typeof (key as { symbol?: unknown }).symbol === "string"
  ) {
    return { symbol: (key as { symbol: string }).symbol };
  }
  return fail(patchName, call, `expected a member name, a symbol or { symbol }, got ${typeof key}`);
}

export function shapeOf(
  spec: unknown,
  patchName: string,
  call: string,
  withSuperclass: boolean,
): ClassShape {
  if (typeof spec !== "object" || spec === null || isRevokedProxy(spec)) {
    return fail(patchName, call, "expected a class spec { name, fields?, methods?, … }");
  }
  refuseUnknownSpecKeys(spec, patchName, call);
  if (typeof (spec as ClassSpec).name !== "string") {
    return fail(patchName, call, "expected a class spec { name, fields?, methods?, … }");
  }
  const s = spec as ClassSpec;
  if (s.methods !== undefined && !Array.isArray(s.methods))
    membersOf(s.methods, false, patchName, call);
  if (s.statics !== undefined) membersOf(s.statics, true, patchName, call);
  const definition = definitionFromSpec(s);
  const shape: ClassShape = {
    name: definition.name,
    ...(withSuperclass && s.superclass !== undefined ? { superclass: s.superclass } : {}),
    fields: definition.fields.map(copyField),
    methods: definition.methods,
    staticFields: definition.staticFields.map(copyField),
  };
  if (!withSuperclass && s.superclass !== undefined) {
    fail(
      patchName,
      call,
      `the inserted class ${s.name} takes the current superclass of the class below it; leave its superclass out`,
      { className: s.name },
    );
  }
  return shape;
}

/** A field definition without an `initializer: undefined` key, so JSON round trips are exact. */
function copyField(f: FieldDefinition): FieldDefinition {
  return f.initializer === undefined
    ? { name: f.name }
    : { name: f.name, initializer: f.initializer };
}

export function methodOf(method: unknown, patchName: string, call: string): MethodDefinition {
  if (typeof method !== "object" || method === null) {
    return fail(patchName, call, "expected a method definition { key, kind, static, source }");
  }
  const m = method as MethodDefinition;
  if (m.kind !== "method" && m.kind !== "get" && m.kind !== "set") {
    fail(
      patchName,
      call,
      `method kind must be "method", "get" or "set", got ${JSON.stringify(m.kind)}`,
    );
  }
  if (typeof m.static !== "boolean")
    fail(patchName, call, "method definition: static must be true or false");
  return {
    key: memberKeyOf(m.key, patchName, call),
    kind: m.kind,
    static: m.static,
    source: requireString(m.source, patchName, call, "method source"),
  };
}
