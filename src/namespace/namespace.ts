/**
 * A namespace is a named registry of bindings — classes (through their
 * handles), functions and values — held as immutable immer snapshots with a
 * version number and a history. A program that is updated by metamorph looks
 * its classes up here (or holds their handles); an update builds a shadow of
 * the namespace and replaces the live snapshot in one step.
 */
import { enablePatches, Immer } from "immer";
import {
  DuplicateBindingError,
  InvalidClassDefinitionError,
  UnknownBindingError,
  UnmanagedClassError,
} from "../errors.js";
import type { ClassDefinition } from "../mop/classDefinition.js";
import {
  type ClassHandle,
  createClassHandle,
  handleOwner,
  isClassHandle,
  observeConstruction,
  stablePrototype,
} from "../mop/classHandle.js";
import type { Constructor, CreateClassOptions } from "../mop/createClass.js";
import { createClass } from "../mop/createClass.js";
import { isAdaptiveFinder } from "../mop/instances/adaptiveFinder.js";
import { createInstanceFinder } from "../mop/instances/defaultFinder.js";
import type { FindOptions, InstanceFinder } from "../mop/instances/finder.js";
import { bindDefinedClasses, classesOf, definitionScope } from "./definitionScope.js";
import { InvalidBindingNameError } from "./errors.js";
import {
  bindingNameRefusal,
  classNameRefusal,
  fieldNameRefusal,
  staticFieldNameRefusal,
} from "./names.js";
import type {
  DefineClassOptions,
  DefineClassSpec,
  NamespaceOptions,
  RegisterClassOptions,
} from "./options.js";
import {
  defineClassArguments,
  finderOptions,
  registerClassOptions,
  requireBindingName,
  readNamed,
} from "./options.js";
import { staticInstances, staticsBuildNothing } from "./staticInstances.js";
import {
  classBindingOf,
  externalSuperclass,
  refuseAlreadyManaged,
  refuseNameless,
  refuseNotAClass,
} from "./registration.js";
import { holdBindings, SnapshotHistory } from "./snapshotHistory.js";

/**
 * Values are boxed so that immer's auto-freeze, which makes snapshots
 * immutable, never freezes the program's own objects (immer does not draft or
 * freeze class instances or functions).
 */
export class BoxedValue {
  constructor(readonly value: unknown) {}
}

export type Binding =
  | {
      readonly kind: "class";
      readonly name: string;
      readonly handle: Constructor;
      readonly definition: ClassDefinition;
    }
  | { readonly kind: "function"; readonly name: string; readonly function: Function }
  | { readonly kind: "value"; readonly name: string; readonly box: BoxedValue };

export interface NamespaceSnapshot {
  readonly version: number;
  readonly bindings: Readonly<Record<string, Binding>>;
}

enablePatches();
export const immer = new Immer({ autoFreeze: true });

export type { DefineClassOptions, NamespaceOptions, RegisterClassOptions };

export function bindingValue(binding: Binding): unknown {
  switch (binding.kind) {
    case "class":
      return binding.handle;
    case "function":
      return binding.function;
    case "value":
      return binding.box.value;
  }
}

/** Writes a snapshot as the namespace's live one; only bulk replace uses it. */
export const commitSnapshot = Symbol("metamorph.commitSnapshot");

export class Namespace {
  readonly name: string;
  readonly finder: InstanceFinder;
  #snapshot: NamespaceSnapshot = immer.produce({ version: 0, bindings: {} }, () => {});
  readonly #history = new SnapshotHistory<NamespaceSnapshot>(this.#snapshot);
  /** Scopes given when classes were defined, reused when they are rebuilt from new definitions. */
  readonly scopes = new Map<Constructor, CreateClassOptions["scope"]>();
  /** Scopes of defined classes whose code names classes not bound yet (definitionScope.ts). */
  readonly #waiting = new Set<Readonly<Record<string, unknown>>>();

  constructor(name: string, options: NamespaceOptions = {}) {
    this.name = name;
    const { kind, switchAfter } = finderOptions(name, options);
    this.finder = createInstanceFinder(kind, switchAfter);
    // After an adaptive finder's switch, feeding the registry would only cost each construction a call.
    if (isAdaptiveFinder(this.finder)) {
      const { finder } = this;
      finder.onSwitch(() => this.#recording.splice(0).forEach((stop) => void stop()));
      finder.onRecover(() => {
        for (const ref of this.#trackedHandles) {
          const handle = ref.deref();
          if (handle !== undefined)
            this.#recording.push(observeConstruction(handle, finder.recordConstructed));
        }
      });
    }
  }

  get version(): number {
    return this.#snapshot.version;
  }

  get snapshot(): NamespaceSnapshot {
    return this.#snapshot;
  }

  /** The snapshots this namespace still keeps, oldest first (the last one is live): a frozen copy. */
  get history(): readonly NamespaceSnapshot[] {
    return this.#history.view;
  }

  /**
   * Drops the snapshots older than `version`, which only an undo would need:
   * long-lived programs updated many times (live reload) do not keep every
   * world they had. What they served can no longer be undone (refused).
   */
  forgetHistoryBefore(version: number): void {
    this.#history.forgetBefore(version);
  }

  /** Runs `body` (a rollback) with defining a binding refused: MM_ROLLBACK. */
  [holdBindings]<T>(what: string, body: () => T): T {
    return this.#history.hold(what, body);
  }

  [commitSnapshot](snapshot: NamespaceSnapshot | "pop"): void {
    if (snapshot !== "pop") this.#history.push(snapshot);
    this.#snapshot = snapshot === "pop" ? this.#history.pop(this.name) : snapshot;
    if (this.#waiting.size > 0) bindDefinedClasses(this.#waiting, classesOf(this));
  }

  has(name: string): boolean {
    return Object.hasOwn(this.#snapshot.bindings, name);
  }

  binding(name: string): Binding {
    requireBindingName(this.name, name);
    // Own bindings only: "toString" or "constructor" are not bindings because Object.prototype has them.
    const binding = this.has(name) ? this.#snapshot.bindings[name] : undefined;
    if (!binding) {
      throw new UnknownBindingError(`namespace ${this.name} has no binding "${name}"`, {
        namespace: this.name,
        binding: name,
      });
    }
    return binding;
  }

  /** The value bound to `name`: a class handle, a function or a value. */
  lookup(name: string): unknown {
    return bindingValue(this.binding(name));
  }

  /** The class handle bound to `name`. */
  classNamed<T extends object = object>(name: string): ClassHandle<T> {
    const binding = this.binding(name);
    if (binding.kind !== "class") {
      throw new UnknownBindingError(`"${name}" in namespace ${this.name} is not a class`, {
        namespace: this.name,
        binding: name,
      });
    }
    return binding.handle as ClassHandle<T>;
  }

  /** Class handles in definition order. */
  classes(): Constructor[] {
    return Object.values(this.#snapshot.bindings).flatMap((b) =>
      b.kind === "class" ? [b.handle] : [],
    );
  }

  bindingNames(): string[] {
    return Object.keys(this.#snapshot.bindings);
  }

  /** Whether this namespace manages the handle. */
  owns(handle: unknown): boolean {
    return isClassHandle(handle) && handleOwner(handle) === this;
  }

  /** Refuses a name this namespace cannot bind, before anything is created for it. */
  #requireFree(name: string): void {
    this.#history.refuseHeld(this.name, name);
    const refusal = bindingNameRefusal(name);
    if (refusal !== undefined) {
      throw new InvalidBindingNameError(`namespace ${this.name}: ${refusal}`, {
        namespace: this.name,
        binding: name,
      });
    }
    if (this.has(name)) {
      throw new DuplicateBindingError(`namespace ${this.name} already binds "${name}"`, {
        namespace: this.name,
        binding: name,
      });
    }
  }

  /** Refuses a class definition whose name or fields would not mean what they say. */
  #requireDefinable(definition: ClassDefinition): void {
    const where = { namespace: this.name, className: definition.name };
    const refusal = classNameRefusal(definition.name);
    if (refusal !== undefined) {
      throw new InvalidClassDefinitionError(`namespace ${this.name}: ${refusal}`, where);
    }
    const fields = [
      ...definition.fields.map((field) => ({ field, refusal: fieldNameRefusal(field.name) })),
      ...definition.staticFields.map((field) => ({
        field,
        refusal: staticFieldNameRefusal(field.name),
      })),
    ];
    for (const { field, refusal: wrong } of fields) {
      if (wrong !== undefined) {
        throw new InvalidClassDefinitionError(
          `namespace ${this.name}, class ${definition.name}: ${wrong}`,
          { ...where, field: field.name },
        );
      }
    }
    this.#requireFree(definition.name);
  }

  #bind(binding: Binding): void {
    this.#requireFree(binding.name);
    const next = immer.produce(this.#snapshot, (draft) => {
      draft.version += 1;
      (draft.bindings as Record<string, Binding>)[binding.name] = binding;
    });
    this[commitSnapshot](next);
  }

  #superclassHandle(definition: ClassDefinition): Constructor | null {
    return definition.superclass === null ? null : this.classNamed(definition.superclass);
  }

  readonly #tracked = new WeakSet<Constructor>();
  /** The same handles, enumerable: the adaptive finder's way back to the registry observes them all again. */
  readonly #trackedHandles: WeakRef<Constructor>[] = [];
  readonly #recording: (() => void)[] = []; // undoes the observers feeding the registry

  /** Starts tracking a handle's instances with this namespace's finder (once per handle). */
  track(handle: Constructor): void {
    if (this.#tracked.has(handle)) return;
    this.#tracked.add(handle);
    this.#trackedHandles.push(new WeakRef(handle));
    this.finder.enable(stablePrototype(handle));
    if (this.finder.kind === "registry")
      this.#recording.push(observeConstruction(handle, this.finder.recordConstructed));
  }

  /**
   * Defines a new class from a specification and binds its handle. Its
   * superclass is named, or given as a class of this namespace (its handle,
   * or a registered class). A key the spec, a field or a method definition,
   * or the options do not have is refused, never ignored.
   */
  defineClass<T extends object = Record<string, unknown>>(
    spec: DefineClassSpec,
    options: DefineClassOptions = {},
  ): Constructor<T> & (new (init?: Partial<T>) => T) {
    const { definition, scope } = defineClassArguments(this.name, spec, options, (cls) =>
      classBindingOf(this.#snapshot.bindings, cls),
    );
    this.#requireDefinable(definition);
    const superclass = this.#superclassHandle(definition);
    const compiled = definitionScope(definition, scope, classesOf(this), this.#waiting);
    const initial = createClass(definition, { superclass, scope: compiled });
    const handle = createClassHandle(initial, definition, { superclass, owner: this });
    this.scopes.set(handle, scope);
    this.track(handle);
    this.#bind({ kind: "class", name: definition.name, handle, definition });
    return handle as Constructor<T> & (new (init?: Partial<T>) => T);
  }

  /**
   * Registers an ordinary class and returns its handle, which the program
   * should use from now on (`new`, `extends`, statics). The class's own
   * prototype becomes the handle's, so instances made before registration
   * are instances of the handle too. A superclass this namespace manages must
   * be registered first; a native one (`Map`, `Error`, `HTMLElement`), or one
   * the caller declares external (`externalSuperclass: true`: a package's
   * class, `EventEmitter`), stays an external binding that updates never
   * change.
   */
  registerClass<C extends Constructor>(cls: C, options: RegisterClassOptions = {}): C {
    const {
      externalSuperclass: declaredExternal = false,
      constructedOnlyThroughHandle = false,
      name,
      ...readOptions
    } = registerClassOptions(this.name, options);
    refuseNotAClass(cls, this.name);
    refuseAlreadyManaged(cls, this);
    const read = readNamed(cls, readOptions, name);
    refuseNameless(read.name, this.name);
    this.#requireDefinable(read);
    const parent = Object.getPrototypeOf(cls) as Function | null;
    let superclass: Constructor | null = null;
    let external: Function | null = null;
    if (parent !== null && parent !== Function.prototype) {
      superclass = classBindingOf(this.#snapshot.bindings, parent)?.handle ?? null;
      if (superclass === null)
        external = externalSuperclass(parent, read.name, this.name, declaredExternal);
    }
    const { externalSuperclass: _read, ...rest } = read;
    const definition: ClassDefinition = {
      ...rest,
      superclass: superclass?.name ?? null,
      ...(external === null ? {} : { externalSuperclass: external.name || "(anonymous class)" }),
    };
    const handle = createClassHandle(cls, definition, {
      superclass,
      owner: this,
      external,
      implementationConstructor: !constructedOnlyThroughHandle,
      builtOnlyThroughHandle: constructedOnlyThroughHandle && staticsBuildNothing(cls),
    });
    // Before tracking, so that no construction observer is installed for nothing.
    if (!constructedOnlyThroughHandle && isAdaptiveFinder(this.finder)) this.finder.useHeap();
    this.track(handle);
    for (const instance of staticInstances(cls)) this.finder.record(instance);
    this.#bind({ kind: "class", name: definition.name, handle, definition });
    return handle as C;
  }

  /** Binds a function or a value. */
  define(name: string, value: unknown): void {
    this.#bind(
      typeof value === "function" && !isClassHandle(value)
        ? { kind: "function", name, function: value }
        : { kind: "value", name, box: new BoxedValue(value) },
    );
  }

  /** Every live instance of a class this namespace manages. */
  allInstances<T extends object>(handle: Constructor<T>, options: FindOptions = {}): T[] {
    if (!this.owns(handle)) {
      throw new UnmanagedClassError(`${handle.name} is not managed by namespace ${this.name}`, {
        className: handle.name,
        namespace: this.name,
      });
    }
    const prototype = stablePrototype(handle);
    // Refused rather than answered without objects the finder only counted.
    this.finder.refuseUntracked?.([prototype]);
    return this.finder.find(prototype, options) as T[];
  }
}

/** Every live instance of a managed class, found by its namespace's backend. */
export function allInstances<T extends object>(
  cls: Constructor<T>,
  options: FindOptions = {},
): T[] {
  const owner = isClassHandle(cls) ? handleOwner(cls) : undefined;
  if (!(owner instanceof Namespace)) {
    const className = typeof cls === "function" ? cls.name : String(cls);
    throw new UnmanagedClassError(
      `${className} is not managed by a namespace; define or register it with one first`,
      { className },
    );
  }
  return owner.allInstances(cls, options);
}
