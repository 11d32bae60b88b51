// size: one fluent builder class — a short method per kind of operation, each carrying its
// typed signature (how the step changes the known classes); its argument checks and types live
// in builderArguments.ts and builderTypes.ts.
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
 * known shape (a renamed field is known by its new name afterwards); a
 * migrator's or an initialiser's `old` has the fields the class had at the
 * start of the patch, so `old.frist` does not compile.
 */
import { InvalidPatchError } from "../errors.js";
import type { ClassSpec, MemberKey, MethodDefinition } from "../mop/classDefinition.js";
import { memberKeyName } from "../mop/classDefinition.js";
import {
  defaultSourceOf,
  fail,
  jsonProblem,
  liveFunction,
  memberKeyOf,
  membersOf,
  methodOf,
  requireOptions,
  requireString,
  requireStrings,
  shapeOf,
} from "./builderArguments.js";
import type {
  AddFieldOptions,
  AnySchema,
  ClassName,
  DropClass,
  FieldName,
  FieldsOf,
  InstanceOf,
  PatchSchema,
  RemoveMethodOptions,
  RenameKey,
  RenameOldClass,
  SetClass,
  SpecFields,
  SpecName,
  SplitClassOptions,
  StaticFieldOptions,
  TypedMigrator,
} from "./builderTypes.js";
import { operationProblem } from "./checks/operation.js";
import type {
  InstanceValidation,
  Migrator,
  NamespaceValidation,
  Operation,
  Policy,
  UpdateHook,
} from "./operations.js";
import { noteBuilt, Patch } from "./patch.js";

// The builder

/**
 * `S`: the classes as the steps so far leave them. `O`: their fields at the
 * start of the patch, by their current names — what a migrator's or an
 * initialiser's `old` holds.
 */
export class PatchBuilder<S extends PatchSchema = AnySchema, O extends PatchSchema = S> {
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

  #with<T extends PatchSchema, U extends PatchSchema = O>(op: Operation): PatchBuilder<T, U> {
    const wrong = operationProblem(op);
    if (wrong) this.#fail(op.op, wrong.message, { ...wrong.details });
    return new PatchBuilder<T, U>(this.#name, [...this.#operations, noteBuilt(op)]);
  }

  #string(value: unknown, call: string, role: string): string {
    return requireString(value, this.#name, call, role);
  }

  /** The initialiser source of `default` (a JSON value) or `defaultSource` (an expression). */
  #defaultSource(call: string, field: string, options: StaticFieldOptions): string | undefined {
    if ("default" in options && options.defaultSource !== undefined) {
      this.#fail(call, `field ${field}: give either default or defaultSource, not both`, { field });
    }
    if ("default" in options) {
      const wrong = jsonProblem(options.default, "the default", new Set());
      if (wrong !== undefined && options.default !== undefined) {
        this.#fail(
          call,
          `field ${field}: ${wrong}; pass defaultSource (an expression)${call === "addField" ? " or initial (a function)" : ""} instead`,
          { field },
        );
      }
    }
    return options.defaultSource !== undefined
      ? this.#string(options.defaultSource, call, "defaultSource")
      : defaultSourceOf(options.default);
  }

  addClass<const Spec extends ClassSpec>(
    spec: Spec,
  ): PatchBuilder<SetClass<S, SpecName<Spec>, SpecFields<Spec>>, O> {
    return this.#with({ op: "addClass", shape: shapeOf(spec, this.#name, "addClass", true) });
  }

  removeClass<C extends ClassName<S>>(cls: C): PatchBuilder<DropClass<S, C>, DropClass<O, C>> {
    return this.#with({
      op: "removeClass",
      className: this.#string(cls, "removeClass", "class name"),
    });
  }

  renameClass<C extends ClassName<S>, To extends string>(
    from: C,
    to: To,
  ): PatchBuilder<SetClass<DropClass<S, C>, To, FieldsOf<S, C>>, RenameOldClass<O, C, To>> {
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
    options: AddFieldOptions<S, C, O> & { readonly default?: V } = {},
  ): PatchBuilder<
    SetClass<S, C, FieldsOf<S, C> & { [K in F]: unknown extends V ? unknown : V }>,
    O
  > {
    const call = "addField";
    requireOptions(options, this.#name, call, ["default", "defaultSource", "initial", "before"]);
    const defaultSource = this.#defaultSource(call, field, options);
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

  /**
   * Adds the static data field `field` to `cls`, its value `default` or the
   * expression `defaultSource` (evaluated with `this` the class).
   */
  addStaticField(
    cls: ClassName<S>,
    field: string,
    options: StaticFieldOptions = {},
  ): PatchBuilder<S, O> {
    return this.#staticWithValue("addStaticField", cls, field, options);
  }

  removeStaticField(cls: ClassName<S>, field: string): PatchBuilder<S, O> {
    return this.#with({
      op: "removeStaticField",
      className: this.#string(cls, "removeStaticField", "class name"),
      field: this.#string(field, "removeStaticField", "static field name"),
    });
  }

  /** Renames a static data field; its value moves with it. */
  renameStaticField(cls: ClassName<S>, from: string, to: string): PatchBuilder<S, O> {
    return this.#with({
      op: "renameStaticField",
      className: this.#string(cls, "renameStaticField", "class name"),
      field: this.#string(from, "renameStaticField", "static field name"),
      to: this.#string(to, "renameStaticField", "new static field name"),
    });
  }

  /**
   * Gives a static data field its initialiser's value again at this update
   * (instead of keeping the running value); `default` or `defaultSource`
   * replace the initialiser.
   */
  reinitialiseStaticField(
    cls: ClassName<S>,
    field: string,
    options: StaticFieldOptions = {},
  ): PatchBuilder<S, O> {
    return this.#staticWithValue("reinitialiseStaticField", cls, field, options);
  }

  #staticWithValue(
    call: "addStaticField" | "reinitialiseStaticField",
    cls: string,
    field: string,
    options: StaticFieldOptions,
  ): PatchBuilder<S, O> {
    requireOptions(options, this.#name, call, ["default", "defaultSource"]);
    const defaultSource = this.#defaultSource(call, field, options);
    return this.#with({
      op: call,
      className: this.#string(cls, call, "class name"),
      field: this.#string(field, call, "static field name"),
      ...(defaultSource === undefined ? {} : { defaultSource }),
    });
  }

  removeField<C extends ClassName<S>, F extends FieldName<S, C>>(
    cls: C,
    field: F,
  ): PatchBuilder<SetClass<S, C, Omit<FieldsOf<S, C>, F>>, O> {
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
  ): PatchBuilder<SetClass<S, C, RenameKey<FieldsOf<S, C>, F, To>>, O> {
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
  ): PatchBuilder<S, O> {
    return this.#with({
      op: "reorderFields",
      className: this.#string(cls, "reorderFields", "class name"),
      order: requireStrings(order, this.#name, "reorderFields", "order"),
    });
  }

  /** Moves `field` from `cls` up into its superclass (and out of `cls`'s siblings that declare it). */
  pullUpField<C extends ClassName<S>>(cls: C, field: FieldName<S, C>): PatchBuilder<S, O> {
    return this.#with({
      op: "pullUpField",
      className: this.#string(cls, "pullUpField", "class name"),
      field: this.#string(field, "pullUpField", "field name"),
    });
  }

  /** Moves `field` from `cls` down into each of its direct subclasses. */
  pushDownField<C extends ClassName<S>>(cls: C, field: FieldName<S, C>): PatchBuilder<S, O> {
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
  ): PatchBuilder<S, O> {
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
  ): PatchBuilder<SetClass<S, SpecName<Spec>, SpecFields<Spec>>, O> {
    return this.#with({
      op: "insertSuperclass",
      className: this.#string(cls, "insertSuperclass", "class name"),
      shape: shapeOf(spec, this.#name, "insertSuperclass", false),
    });
  }

  /** Adds the methods and accessors of an object literal written in method syntax. */
  addMethods<C extends ClassName<S>, M extends object>(
    cls: C,
    members: M & ThisType<InstanceOf<S, C> & M>,
  ): PatchBuilder<S, O> {
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
    members: M & ThisType<InstanceOf<S, C> & M>,
  ): PatchBuilder<S, O> {
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
    members: M & ThisType<{ readonly [key: string]: unknown } & M>,
  ): PatchBuilder<S, O> {
    return this.#methods(
      "addStaticMethods",
      "addMethod",
      cls,
      membersOf(members, true, this.#name, "addStaticMethods"),
    );
  }

  addMethod(cls: ClassName<S>, method: MethodDefinition): PatchBuilder<S, O> {
    return this.#methods("addMethod", "addMethod", cls, [
      methodOf(method, this.#name, "addMethod"),
    ]);
  }

  replaceMethod(cls: ClassName<S>, method: MethodDefinition): PatchBuilder<S, O> {
    return this.#methods("replaceMethod", "replaceMethod", cls, [
      methodOf(method, this.#name, "replaceMethod"),
    ]);
  }

  #methods(
    call: string,
    op: "addMethod" | "replaceMethod",
    cls: string,
    methods: readonly MethodDefinition[],
  ): PatchBuilder<S, O> {
    const className = this.#string(cls, call, "class name");
    let next: PatchBuilder<S, O> = this;
    for (const method of methods) {
      const operation: Operation = { op, className, method };
      const wrong = operationProblem(operation);
      if (wrong) {
        this.#fail(call, `class ${className}: ${wrong.message}`, {
          className,
          member: memberKeyName(method.key),
        });
      }
      next = next.#with<S, O>(operation);
    }
    return next;
  }

  /** Removes the member `key` (every kind of it, unless `kind` says which). */
  removeMethod(
    cls: ClassName<S>,
    key: string | symbol | MemberKey,
    options: RemoveMethodOptions = {},
  ): PatchBuilder<S, O> {
    requireOptions(options, this.#name, "removeMethod", ["static", "kind"]);
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
    >,
    O
  > {
    const call = "splitClass";
    requireOptions(options, this.#name, call, ["into", "via"]);
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
   * to the old field whose value it takes; other values follow names. Statics
   * take the new class's values, except those named in `keepStatics` (a
   * cache, a singleton), which keep their running value. A class that keeps
   * state for its objects in maps outside them (`listeners.get(this)`) is
   * refused (MM_PRIVATE_STATE) unless `sameScope` says the new class was
   * evaluated in the running version's own module scope, where those maps
   * are the same (metamorph dev's reloads).
   */
  replaceImplementation(
    cls: ClassName<S>,
    implementation: Function,
    options: {
      readonly renames?: Readonly<Record<string, string>>;
      readonly keepStatics?: readonly string[];
      readonly sameScope?: boolean;
    } = {},
  ): PatchBuilder<S, O> {
    const call = "replaceImplementation";
    requireOptions(options, this.#name, call, ["renames", "keepStatics", "sameScope"]);
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
      ...(options.keepStatics
        ? {
            keepStatics: requireStrings(
              options.keepStatics,
              this.#name,
              "replaceImplementation",
              "keepStatics",
            ),
          }
        : {}),
      ...(options.sameScope === true ? { sameScope: true } : {}),
    });
  }

  /**
   * Runs `migrator(old, target)` on each migrated instance of `cls`, after
   * the default field copy. With a schema, `old` has the class's fields at
   * the start of the patch (read-only) and `target` its fields after the
   * steps so far: a misspelt field does not compile.
   */
  migrate<C extends ClassName<S>>(cls: C, migrator: TypedMigrator<O, S, C>): PatchBuilder<S, O> {
    return this.#with({
      op: "migrator",
      className: this.#string(cls, "migrate", "class name"),
      migrator: liveFunction<Migrator>(migrator, this.#name, "migrate", "migrator"),
    });
  }

  /** An application validation over the new world, run before commit. */
  validate(name: string, check: NamespaceValidation): PatchBuilder<S, O> {
    return this.#with({
      op: "validateNamespace",
      name: this.#string(name, "validate", "validation name"),
      check: liveFunction<NamespaceValidation>(check, this.#name, "validate", "check"),
    });
  }

  /** An application validation run on every migrated instance of `cls` (subclasses included). */
  validateInstances(
    name: string,
    cls: ClassName<S>,
    check: InstanceValidation,
  ): PatchBuilder<S, O> {
    return this.#with({
      op: "validateInstances",
      name: this.#string(name, "validateInstances", "validation name"),
      className: this.#string(cls, "validateInstances", "class name"),
      check: liveFunction<InstanceValidation>(check, this.#name, "validateInstances", "check"),
    });
  }

  /**
   * Program code run in the commit's synchronous block once the new version
   * is installed — re-arm timers, rebuild per-instance closures. If it
   * throws, the update is rolled back (every object restored, the old
   * version reinstalled, the afterRollback hooks run) and the update fails
   * with MM_AFTER_COMMIT_FAILED. Hooks run in the order they are declared.
   */
  afterCommit(name: string, hook: UpdateHook): PatchBuilder<S, O> {
    return this.#with({
      op: "afterCommit",
      name: this.#string(name, "afterCommit", "hook name"),
      hook: liveFunction<UpdateHook>(hook, this.#name, "afterCommit", "hook"),
    });
  }

  /**
   * Program code run whenever the committed update is rolled back, once the
   * old version is back: it undoes what the afterCommit hooks did (which may
   * have run only in part). Hooks run in reverse order of declaration; what
   * one throws is reported (`result.hookErrors`, the error's details) and
   * does not stop the rollback.
   */
  afterRollback(name: string, hook: UpdateHook): PatchBuilder<S, O> {
    return this.#with({
      op: "afterRollback",
      name: this.#string(name, "afterRollback", "hook name"),
      hook: liveFunction<UpdateHook>(hook, this.#name, "afterRollback", "hook"),
    });
  }

  policy(policy: Policy): PatchBuilder<S, O> {
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
