/**
 * The fluent way to write a patch:
 *
 *     const p = patch("comments")
 *       .renameField("Picture", "path", "basepath")
 *       .addField("Picture", "comment", { default: "" })
 *       .addMethods("Picture", { describe() { return `${this.basepath}: ${this.comment}`; } })
 *       .build();
 *
 * Every method returns a new builder, so a partial builder can be shared and
 * extended in several directions. Arguments that can never be right are
 * refused at once, naming the call; whether the classes and fields exist is
 * decided by the engine against the live namespace.
 *
 * Optionally typed: `patch<{ Person: { first: string; last: string } }>("p")`
 * checks class and field names at compile time, and each step updates the
 * known shape (a renamed field is known by its new name afterwards).
 */
import { InvalidPatchError } from "../errors.js";
import type {
  ClassSpec,
  FieldDefinition,
  MemberKey,
  MethodDefinition,
  MethodKind,
} from "../mop/classDefinition.js";
import {
  definitionFromSpec,
  describeMembers,
  memberKeyName,
  propertyToMemberKey,
} from "../mop/classDefinition.js";
import type {
  ClassShape,
  InstanceValidation,
  Migrator,
  NamespaceValidation,
  OldView,
  Operation,
  PatchFunction,
  Policy,
} from "./operations.js";
import { Patch } from "./patch.js";
import { operationProblem } from "./checks/operation.js";

// ---------------------------------------------------------------------------
// Types: what the builder knows of the classes, as `{ Class: { field: type } }`

/** Known classes and their fields (the value types are documentation only). */
export type PatchSchema = object;

/** The schema of an untyped builder: any class, any field. */
export type AnySchema = Record<string, Record<string, unknown>>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type IsOpen<S> = string extends keyof S ? true : false;

/** Class names the builder accepts. */
export type ClassName<S> = IsOpen<S> extends true ? string : Extract<keyof S, string>;

/** Field names of class `C` the builder accepts. */
export type FieldName<S, C> =
  IsOpen<S> extends true
    ? string
    : C extends keyof S
      ? IsOpen<S[C]> extends true
        ? string
        : Extract<keyof S[C], string>
      : string;

type FieldsOf<S, C> = C extends keyof S ? S[C] : {};

/** `S` with class `C` described by `Fields` (an open schema stays open). */
type SetClass<S, C extends string, Fields> =
  IsOpen<S> extends true ? S : Simplify<Omit<S, C> & { [K in C]: Simplify<Fields> }>;

type DropClass<S, C extends PropertyKey> = IsOpen<S> extends true ? S : Simplify<Omit<S, C>>;

type RenameKey<T, From extends PropertyKey, To extends string> = Omit<T, From> & {
  [K in To]: From extends keyof T ? T[From] : unknown;
};

type SpecFieldName<F> = F extends string
  ? F
  : F extends { readonly name: infer N extends string }
    ? N
    : never;

/** The fields a ClassSpec declares, when written as a literal. */
type SpecFields<Spec> = Spec extends { readonly fields: readonly (infer F)[] }
  ? { [K in SpecFieldName<F>]: unknown }
  : {};

type SpecName<Spec> = Spec extends { readonly name: infer N extends string } ? N : string;

/** What `this` is inside methods given as an object literal: the known fields, anything else unknown. */
export type InstanceOf<S, C> = Simplify<FieldsOf<S, C> & { readonly [key: string]: unknown }>;

// ---------------------------------------------------------------------------
// Options

export interface AddFieldOptions<S = AnySchema, C = string> {
  /**
   * The value of the field in new objects, and in migrated objects unless
   * `initial` derives one. Must be JSON-serialisable: it is stored as source
   * text, so every object gets its own copy.
   */
  readonly default?: unknown;
  /** A JavaScript expression computing the value (`this` is the object under construction). */
  readonly defaultSource?: string;
  /** Derives the value for a migrated object from its old state. */
  readonly initial?: (old: OldView) => unknown;
  /** Insert the field before this one (default: after the class's own fields). */
  readonly before?: FieldName<S, C>;
}

export interface RemoveMethodOptions {
  /** Remove the static member (default: the instance member). */
  readonly static?: boolean;
  /** Remove only this kind of member (default: the method and both accessors of that name). */
  readonly kind?: MethodKind;
}

export interface SplitClassOptions<Into extends string, Via extends string> {
  /** The new class that receives the moved fields. */
  readonly into: Into;
  /** The new field that links each object to its own `into` object. */
  readonly via: Via;
}

// ---------------------------------------------------------------------------
// Argument checks that need the caller's values (functions, objects), not just the operation

const fail = (
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

/** A value that JSON writes and reads back unchanged (so its source text is a faithful copy). */
function jsonProblem(value: unknown, path: string, seen: Set<object>): string | undefined {
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

function defaultSourceOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Object.is(value, -0)) return "-0";
  return JSON.stringify(value);
}

function liveFunction<F extends Function>(
  fn: unknown,
  patchName: string,
  call: string,
  role: string,
): PatchFunction<F> {
  if (typeof fn !== "function")
    fail(patchName, call, `the ${role} must be a function, got ${typeof fn}`);
  return { source: Function.prototype.toString.call(fn), fn: fn as F };
}

function requireString(value: unknown, patchName: string, call: string, role: string): string {
  if (typeof value !== "string") {
    return fail(
      patchName,
      call,
      `the ${role} must be a string, got ${value === null ? "null" : typeof value}`,
    );
  }
  return value;
}

function requireStrings(value: unknown, patchName: string, call: string, role: string): string[] {
  if (!Array.isArray(value))
    return fail(patchName, call, `the ${role} must be an array of field names`);
  return value.map((v, i) => requireString(v, patchName, call, `${role}[${i}]`));
}

/**
 * Method definitions from an object literal of members. A symbol key must be
 * one a patch can carry (well-known or `Symbol.for`); a non-function member
 * is refused rather than silently dropped.
 */
function membersOf(
  members: unknown,
  isStatic: boolean,
  patchName: string,
  call: string,
): MethodDefinition[] {
  if (typeof members !== "object" || members === null || Array.isArray(members)) {
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

function memberKeyOf(key: unknown, patchName: string, call: string): MemberKey {
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

function shapeOf(
  spec: unknown,
  patchName: string,
  call: string,
  withSuperclass: boolean,
): ClassShape {
  if (typeof spec !== "object" || spec === null || typeof (spec as ClassSpec).name !== "string") {
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

function methodOf(method: unknown, patchName: string, call: string): MethodDefinition {
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

// ---------------------------------------------------------------------------
// The builder

export class PatchBuilder<S extends PatchSchema = AnySchema> {
  readonly #name: string;
  readonly #operations: readonly Operation[];

  /** Use `patch(name)`. */
  constructor(name: string, operations: readonly Operation[] = []) {
    this.#name = name;
    this.#operations = operations;
  }

  /** The operations recorded so far (for inspection; build() makes the patch). */
  get operations(): readonly Operation[] {
    return this.#operations;
  }

  #fail(call: string, message: string, details: Record<string, unknown> = {}): never {
    return fail(this.#name, call, message, { index: this.#operations.length, ...details });
  }

  #with<T extends PatchSchema>(op: Operation): PatchBuilder<T> {
    const wrong = operationProblem(op);
    if (wrong) this.#fail(op.op, wrong.message, { ...wrong.details });
    return new PatchBuilder<T>(this.#name, [...this.#operations, op]);
  }

  #string(value: unknown, call: string, role: string): string {
    return requireString(value, this.#name, call, role);
  }

  addClass<const Spec extends ClassSpec>(
    spec: Spec,
  ): PatchBuilder<SetClass<S, SpecName<Spec>, SpecFields<Spec>>> {
    return this.#with({ op: "addClass", shape: shapeOf(spec, this.#name, "addClass", true) });
  }

  removeClass<C extends ClassName<S>>(cls: C): PatchBuilder<DropClass<S, C>> {
    return this.#with({
      op: "removeClass",
      className: this.#string(cls, "removeClass", "class name"),
    });
  }

  renameClass<C extends ClassName<S>, To extends string>(
    from: C,
    to: To,
  ): PatchBuilder<SetClass<DropClass<S, C>, To, FieldsOf<S, C>>> {
    return this.#with({
      op: "renameClass",
      className: this.#string(from, "renameClass", "class name"),
      to: this.#string(to, "renameClass", "new class name"),
    });
  }

  /**
   * Adds field `field` to `cls`. Its value in new objects (and in migrated
   * ones without `initial`) is `default` or `defaultSource`; `initial`
   * derives a migrated object's value from its old state.
   */
  addField<C extends ClassName<S>, F extends string, V = unknown>(
    cls: C,
    field: F,
    options: AddFieldOptions<S, C> & { readonly default?: V } = {},
  ): PatchBuilder<SetClass<S, C, FieldsOf<S, C> & { [K in F]: unknown extends V ? unknown : V }>> {
    const call = "addField";
    if (typeof options !== "object" || options === null)
      this.#fail(call, "options must be an object");
    if ("default" in options && options.defaultSource !== undefined) {
      this.#fail(call, `field ${field}: give either default or defaultSource, not both`, { field });
    }
    if ("default" in options) {
      const wrong = jsonProblem(options.default, "the default", new Set());
      if (wrong !== undefined && options.default !== undefined) {
        this.#fail(
          call,
          `field ${field}: ${wrong}; pass defaultSource (an expression) or initial (a function) instead`,
          { field },
        );
      }
    }
    const defaultSource =
      options.defaultSource !== undefined
        ? this.#string(options.defaultSource, call, "defaultSource")
        : defaultSourceOf(options.default);
    return this.#with({
      op: "addField",
      className: this.#string(cls, call, "class name"),
      field: this.#string(field, call, "field name"),
      ...(defaultSource === undefined ? {} : { defaultSource }),
      ...(options.initial === undefined
        ? {}
        : {
            initial: liveFunction(
              options.initial,
              this.#name,
              call,
              `initial value of field ${field}`,
            ),
          }),
      ...(options.before === undefined
        ? {}
        : { before: this.#string(options.before, call, "`before` field") }),
    });
  }

  removeField<C extends ClassName<S>, F extends FieldName<S, C>>(
    cls: C,
    field: F,
  ): PatchBuilder<SetClass<S, C, Omit<FieldsOf<S, C>, F>>> {
    return this.#with({
      op: "removeField",
      className: this.#string(cls, "removeField", "class name"),
      field: this.#string(field, "removeField", "field name"),
    });
  }

  renameField<C extends ClassName<S>, F extends FieldName<S, C>, To extends string>(
    cls: C,
    from: F,
    to: To,
  ): PatchBuilder<SetClass<S, C, RenameKey<FieldsOf<S, C>, F, To>>> {
    return this.#with({
      op: "renameField",
      className: this.#string(cls, "renameField", "class name"),
      field: this.#string(from, "renameField", "field name"),
      to: this.#string(to, "renameField", "new field name"),
    });
  }

  /** Sets the order of `cls`'s own fields (which is the order constructors write them in). */
  reorderFields<C extends ClassName<S>>(
    cls: C,
    order: readonly FieldName<S, C>[],
  ): PatchBuilder<S> {
    return this.#with({
      op: "reorderFields",
      className: this.#string(cls, "reorderFields", "class name"),
      order: requireStrings(order, this.#name, "reorderFields", "order"),
    });
  }

  /** Moves `field` from `cls` up into its superclass (and out of `cls`'s siblings that declare it). */
  pullUpField<C extends ClassName<S>>(cls: C, field: FieldName<S, C>): PatchBuilder<S> {
    return this.#with({
      op: "pullUpField",
      className: this.#string(cls, "pullUpField", "class name"),
      field: this.#string(field, "pullUpField", "field name"),
    });
  }

  /** Moves `field` from `cls` down into each of its direct subclasses. */
  pushDownField<C extends ClassName<S>>(cls: C, field: FieldName<S, C>): PatchBuilder<S> {
    return this.#with({
      op: "pushDownField",
      className: this.#string(cls, "pushDownField", "class name"),
      field: this.#string(field, "pushDownField", "field name"),
    });
  }

  /** Makes `superclass` the superclass of `cls`; null makes `cls` a root class. */
  changeSuperclass<C extends ClassName<S>>(
    cls: C,
    superclass: ClassName<S> | null,
  ): PatchBuilder<S> {
    return this.#with({
      op: "changeSuperclass",
      className: this.#string(cls, "changeSuperclass", "class name"),
      superclass:
        superclass === null
          ? null
          : this.#string(superclass, "changeSuperclass", "superclass name"),
    });
  }

  /** Adds class `spec` between `cls` and its current superclass. */
  insertSuperclass<C extends ClassName<S>, const Spec extends ClassSpec>(
    cls: C,
    spec: Spec,
  ): PatchBuilder<SetClass<S, SpecName<Spec>, SpecFields<Spec>>> {
    return this.#with({
      op: "insertSuperclass",
      className: this.#string(cls, "insertSuperclass", "class name"),
      shape: shapeOf(spec, this.#name, "insertSuperclass", false),
    });
  }

  /** Adds the methods and accessors of an object literal written in method syntax. */
  addMethods<C extends ClassName<S>, M extends object>(
    cls: C,
    members: M & ThisType<InstanceOf<S, C>>,
  ): PatchBuilder<S> {
    return this.#methods(
      "addMethods",
      "addMethod",
      cls,
      membersOf(members, false, this.#name, "addMethods"),
    );
  }

  /** Replaces existing methods and accessors with those of an object literal. */
  replaceMethods<C extends ClassName<S>, M extends object>(
    cls: C,
    members: M & ThisType<InstanceOf<S, C>>,
  ): PatchBuilder<S> {
    return this.#methods(
      "replaceMethods",
      "replaceMethod",
      cls,
      membersOf(members, false, this.#name, "replaceMethods"),
    );
  }

  /** Adds static methods and accessors from an object literal. */
  addStaticMethods<C extends ClassName<S>, M extends object>(
    cls: C,
    members: M & ThisType<{ readonly [key: string]: unknown }>,
  ): PatchBuilder<S> {
    return this.#methods(
      "addStaticMethods",
      "addMethod",
      cls,
      membersOf(members, true, this.#name, "addStaticMethods"),
    );
  }

  addMethod(cls: ClassName<S>, method: MethodDefinition): PatchBuilder<S> {
    return this.#methods("addMethod", "addMethod", cls, [
      methodOf(method, this.#name, "addMethod"),
    ]);
  }

  replaceMethod(cls: ClassName<S>, method: MethodDefinition): PatchBuilder<S> {
    return this.#methods("replaceMethod", "replaceMethod", cls, [
      methodOf(method, this.#name, "replaceMethod"),
    ]);
  }

  #methods(
    call: string,
    op: "addMethod" | "replaceMethod",
    cls: string,
    methods: readonly MethodDefinition[],
  ): PatchBuilder<S> {
    const className = this.#string(cls, call, "class name");
    let next: PatchBuilder<S> = this;
    for (const method of methods) {
      const operation: Operation = { op, className, method };
      const wrong = operationProblem(operation);
      if (wrong) {
        this.#fail(call, `class ${className}: ${wrong.message}`, {
          className,
          member: memberKeyName(method.key),
        });
      }
      next = next.#with<S>(operation);
    }
    return next;
  }

  /** Removes the member `key` (every kind of it, unless `kind` says which). */
  removeMethod(
    cls: ClassName<S>,
    key: string | symbol | MemberKey,
    options: RemoveMethodOptions = {},
  ): PatchBuilder<S> {
    return this.#with({
      op: "removeMethod",
      className: this.#string(cls, "removeMethod", "class name"),
      key: memberKeyOf(key, this.#name, "removeMethod"),
      static: options.static === true,
      ...(options.kind === undefined ? {} : { kind: options.kind }),
    });
  }

  /**
   * Moves `fields` of `cls` into a new class `into`: each instance gets its
   * own new `into` object, held in the new field `via`.
   */
  splitClass<
    C extends ClassName<S>,
    const F extends readonly FieldName<S, C>[],
    Into extends string,
    Via extends string,
  >(
    cls: C,
    fields: F,
    options: SplitClassOptions<Into, Via>,
  ): PatchBuilder<
    SetClass<
      SetClass<S, C, Omit<FieldsOf<S, C>, F[number]> & { [K in Via]: unknown }>,
      Into,
      Pick<FieldsOf<S, C>, Extract<F[number], keyof FieldsOf<S, C>>>
    >
  > {
    const call = "splitClass";
    if (typeof options !== "object" || options === null)
      this.#fail(call, "options must be { into, via }");
    return this.#with({
      op: "splitClass",
      className: this.#string(cls, call, "class name"),
      fields: requireStrings(fields, this.#name, call, "fields"),
      into: this.#string(options.into, call, "`into` class name"),
      via: this.#string(options.via, call, "`via` field name"),
    });
  }

  /**
   * Replaces `cls`'s implementation by an ordinary class (its fields are read
   * from its source text, see readClassDefinition). `renames` maps a new field
   * to the old field whose value it takes; other values follow names.
   */
  replaceImplementation(
    cls: ClassName<S>,
    implementation: Function,
    options: { readonly renames?: Readonly<Record<string, string>> } = {},
  ): PatchBuilder<S> {
    return this.#with({
      op: "replaceImplementation",
      className: this.#string(cls, "replaceImplementation", "class name"),
      implementation: liveFunction<Function>(
        implementation,
        this.#name,
        "replaceImplementation",
        "implementation",
      ),
      ...(options.renames ? { renames: { ...options.renames } } : {}),
    });
  }

  /** Runs `migrator(old, target)` on each migrated instance of `cls`, after the default field copy. */
  migrate(cls: ClassName<S>, migrator: Migrator): PatchBuilder<S> {
    return this.#with({
      op: "migrator",
      className: this.#string(cls, "migrate", "class name"),
      migrator: liveFunction<Migrator>(migrator, this.#name, "migrate", "migrator"),
    });
  }

  /** An application validation over the new world, run before commit. */
  validate(name: string, check: NamespaceValidation): PatchBuilder<S> {
    return this.#with({
      op: "validateNamespace",
      name: this.#string(name, "validate", "validation name"),
      check: liveFunction<NamespaceValidation>(check, this.#name, "validate", "check"),
    });
  }

  /** An application validation run on every migrated instance of `cls` (subclasses included). */
  validateInstances(name: string, cls: ClassName<S>, check: InstanceValidation): PatchBuilder<S> {
    return this.#with({
      op: "validateInstances",
      name: this.#string(name, "validateInstances", "validation name"),
      className: this.#string(cls, "validateInstances", "class name"),
      check: liveFunction<InstanceValidation>(check, this.#name, "validateInstances", "check"),
    });
  }

  policy(policy: Policy): PatchBuilder<S> {
    if (policy !== "eager" && policy !== "lazy" && policy !== "progressive") {
      this.#fail("policy", `unknown policy ${JSON.stringify(policy)} (eager, lazy or progressive)`);
    }
    return this.#with({ op: "policy", policy });
  }

  build(): Patch {
    return new Patch(this.#name, this.#operations);
  }
}

/** Starts a patch. Give a schema type to have class and field names checked at compile time. */
export function patch<S extends PatchSchema = AnySchema>(name: string): PatchBuilder<S> {
  if (typeof name !== "string" || name.trim().length === 0) {
    throw new InvalidPatchError("a patch needs a non-empty name", { patch: name });
  }
  return new PatchBuilder<S>(name);
}
