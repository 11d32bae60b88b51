/**
 * A shadow is a copy-on-write copy of a namespace in which an update builds
 * the new world: new class versions, added, removed and renamed bindings.
 * Its bindings are an immer draft history (cost proportional to what changes);
 * new class versions are real classes that nothing live refers to. Nothing
 * done here is visible through the live namespace or to the running program
 * until `replaceNamespace` installs it.
 */
import { requireParent } from "./implementationParent.js";
import { refuseManagedElsewhere } from "./managedElsewhere.js";
import { ShadowScopes } from "./shadowScopes.js";
import type { Patch } from "immer";
import { DuplicateBindingError, InvalidArgumentError, UnknownBindingError } from "../errors.js";
import type { ClassDefinition } from "../mop/classDefinition.js";
import { isInstance, kindOf } from "../valueKinds.js";
import type { ClassVersion } from "../mop/classHandle.js";
import { createClassHandle, currentVersion, stablePrototype } from "../mop/classHandle.js";
import type { Constructor, CreateClassOptions } from "../mop/createClass.js";
import { createClass, createVersion } from "../mop/createClass.js";
import { InvalidBindingNameError } from "./errors.js";
import type { Binding, NamespaceSnapshot } from "./namespace.js";
import { BoxedValue, bindingValue, Namespace } from "./namespace.js";
import type { Recipe } from "./bindingEdits.js";
import { BindingEdits } from "./bindingEdits.js";
import { bindingNameRefusal } from "./names.js";

type ClassScope = NonNullable<CreateClassOptions["scope"]>;

export interface ShadowClass {
  readonly handle: Constructor;
  /** True for a class the shadow added: its handle is bound nowhere live. */
  readonly added: boolean;
  definition: ClassDefinition;
  /** The version to install, when the class changed. */
  version: ClassVersion | null;
  /**
   * Statics of the new version whose value does not come from the old static
   * of the same name: the old static it comes from (a rename), or null for
   * the value the new version's initialiser gave it (added, re-initialised).
   */
  staticOrigins?: ReadonlyMap<string, string | null>;
}

/** The commit's (replaceNamespace) own access to a shadow: not part of its public surface. */
export const snapshotAs = Symbol("metamorph.snapshotAs");

/** The commit's staleness check and the settling of a shadow built ahead: not its public surface. */
export const madeFrom = Symbol("metamorph.madeFrom");
export const settle = Symbol("metamorph.settle");

/** The commit's (replaceNamespace) access to the shadow's edits, which the replace record reports. */
export const editsOf = Symbol("metamorph.editsOf");

const nothing = () => {};

export class Shadow {
  readonly namespace: Namespace;
  readonly baseVersion: number;
  readonly #base: NamespaceSnapshot; // not the version alone: a rollback then a commit reach it again
  #snapshot: NamespaceSnapshot;
  readonly #edits = new BindingEdits();
  readonly #classes = new Map<Constructor, ShadowClass>();
  readonly #scopes: ShadowScopes;
  /**
   * New definitions of existing bindings, not yet in the snapshot: they go
   * into the next produce (the next structural edit, a read of the
   * snapshot, or the commit's snapshotAs), so that an update that only
   * changes definitions makes one produce in all.
   */
  readonly #definitions = new Map<string, ClassDefinition>();

  constructor(namespace: Namespace) {
    this.namespace = namespace;
    this.baseVersion = namespace.version;
    this.#base = namespace.snapshot;
    this.#snapshot = namespace.snapshot;
    this.#scopes = new ShadowScopes(namespace.scopes);
  }

  get snapshot(): NamespaceSnapshot {
    this[settle]();
    return this.#snapshot;
  }

  /** Whether the namespace is still exactly the world this shadow was made from. */
  [madeFrom](snapshot: NamespaceSnapshot): boolean {
    return snapshot === this.#base;
  }

  /** Writes the pending definitions now: a shadow built ahead leaves its commit only the version. */
  [settle](): void {
    if (this.#definitions.size > 0) this.#produce(nothing);
  }

  /** immer patches of the bindings so far (their paths start at `bindings`), made when read (bindingEdits.ts). */
  get patches(): Patch[] {
    return this.#edits.patches;
  }

  /** The patches that take the bindings back, last edit first. */
  get inversePatches(): Patch[] {
    return this.#edits.inversePatches;
  }

  [editsOf](): BindingEdits {
    return this.#edits;
  }

  /**
   * Applies the pending definitions and `recipe` to the bindings, and sets
   * `version` if given. Only the bindings are drafted (the version is the
   * commit's, not an edit). A recipe makes no object itself (bindingEdits.ts).
   */
  #produce(recipe: Recipe, version?: number): NamespaceSnapshot {
    const base = this.#snapshot;
    const edit = this.#afterPendingDefinitions(recipe);
    // Nothing to write (the commit of a shadow whose edits are all in): no produce at all.
    const bindings = edit === nothing ? base.bindings : this.#edits.apply(base.bindings, edit);
    if (bindings !== base.bindings || (version !== undefined && version !== base.version))
      this.#snapshot = Object.freeze({ version: version ?? base.version, bindings });
    return this.#snapshot;
  }

  /** `recipe`, preceded by writing the pending definitions (which leave the queue). */
  #afterPendingDefinitions(recipe: Recipe): Recipe {
    if (this.#definitions.size === 0) return recipe;
    const definitions = [...this.#definitions];
    this.#definitions.clear();
    return (drafted) => {
      for (const [name, definition] of definitions) {
        const b = drafted[name];
        if (b?.kind === "class") (b as { definition: ClassDefinition }).definition = definition;
      }
      recipe(drafted);
    };
  }

  /** The snapshot to install as `version` of the namespace: pending edits and the version number in one produce. */
  [snapshotAs](version: number): NamespaceSnapshot {
    return this.#produce(nothing, version);
  }

  has(name: string): boolean {
    return Object.hasOwn(this.#snapshot.bindings, name);
  }

  binding(name: string): Binding {
    if (this.#definitions.size > 0 && this.has(name)) this.#produce(nothing);
    return this.#bound(name);
  }

  /**
   * The binding of `name` in the snapshot as it stands, pending definitions
   * not applied: its kind and value (a class's handle) are what they will be.
   * So looking a class up costs no produce, however many classes an update
   * changes before it.
   */
  #bound(name: string): Binding {
    const binding = this.has(name) ? this.#snapshot.bindings[name] : undefined;
    if (!binding) {
      throw new UnknownBindingError(
        `the shadow of ${this.namespace.name} has no binding "${name}"`,
        {
          namespace: this.namespace.name,
          binding: name,
        },
      );
    }
    return binding;
  }

  /** The value bound to `name` in the new world (a class's handle, which keeps its identity). */
  lookup(name: string): unknown {
    return bindingValue(this.#bound(name));
  }

  classNamed(name: string): Constructor {
    const binding = this.#bound(name);
    if (binding.kind !== "class") {
      throw new UnknownBindingError(
        `"${name}" is not a class in the shadow of ${this.namespace.name}`,
        {
          namespace: this.namespace.name,
          binding: name,
        },
      );
    }
    return binding.handle;
  }

  definitionOf(name: string): ClassDefinition {
    const handle = this.classNamed(name);
    return this.#classes.get(handle)?.definition ?? currentVersion(handle).definition;
  }

  /** Class names in the shadow. */
  classNames(): string[] {
    return Object.values(this.#snapshot.bindings).flatMap((b) =>
      b.kind === "class" ? [b.name] : [],
    );
  }

  /** The classes this shadow adds or changes. */
  changedClasses(): ReadonlyMap<Constructor, ShadowClass> {
    return this.#classes;
  }

  #scope(handle: Constructor | null): CreateClassOptions["scope"] {
    return handle === null ? {} : this.#scopes.of(handle);
  }

  /**
   * The scope class `name`'s code sees (`defineClass`'s `scope` option):
   * its field initialisers compiled for a migration see it too.
   */
  scopeOf(name: string): NonNullable<CreateClassOptions["scope"]> {
    return (
      (this.has(name) && this.binding(name).kind === "class"
        ? this.#scope(this.classNamed(name))
        : undefined) ?? {}
    );
  }

  /**
   * The scopes of the classes this shadow adds, and the new scopes of
   * classes it changes (`changeClass`'s `scopes.keep`), for
   * `replaceNamespace` to install.
   */
  addedScopes(): ReadonlyMap<Constructor, CreateClassOptions["scope"]> {
    return this.#scopes.toInstall();
  }

  #requireBindable(name: string): void {
    const refusal = bindingNameRefusal(name);
    if (refusal !== undefined) {
      throw new InvalidBindingNameError(`the shadow of ${this.namespace.name}: ${refusal}`, {
        namespace: this.namespace.name,
        binding: name,
      });
    }
  }

  #superclass(definition: ClassDefinition): Constructor | null {
    return definition.superclass === null ? null : this.classNamed(definition.superclass);
  }

  /** Adds a class; its handle exists but is bound only in the shadow. */
  addClass(
    definition: ClassDefinition,
    scope: CreateClassOptions["scope"] = {},
    implementation?: Constructor,
    /** Its scope from the commit on, where it is not the one its code is compiled against. */
    keep: CreateClassOptions["scope"] = scope,
  ): Constructor {
    this.#requireBindable(definition.name);
    if (this.has(definition.name)) {
      throw new DuplicateBindingError(`the shadow already binds "${definition.name}"`, {
        namespace: this.namespace.name,
        binding: definition.name,
      });
    }
    if (implementation)
      refuseManagedElsewhere(implementation, this.namespace, "addClass", definition.name);
    const superclass = this.#superclass(definition);
    const initial = implementation ?? createClass(definition, { superclass, scope });
    const handle = createClassHandle(initial, definition, { superclass, owner: this.namespace });
    this.#scopes.set(handle, scope, keep);
    this.namespace.track(handle);
    this.#classes.set(handle, { handle, added: true, definition, version: null });
    const binding: Binding = { kind: "class", name: definition.name, handle, definition };
    this.#produce((bindings) => {
      bindings[definition.name] = binding;
    });
    return handle;
  }

  /**
   * Gives a class a new definition. Its new version is built now (a class no
   * live code refers to) from `implementation` or from the definition.
   */
  changeClass(
    name: string,
    definition: ClassDefinition,
    implementation?: Constructor,
    staticOrigins?: ReadonlyMap<string, string | null>,
    /**
     * What its new code is compiled against (the update's: the namespace's
     * classes, its own scope, the patch's hydrate scope), and what its scope
     * is from the commit on.
     */
    scopes?: { readonly compile: ClassScope; readonly keep: ClassScope },
  ): ClassVersion {
    const handle = this.classNamed(name);
    if (implementation)
      refuseManagedElsewhere(implementation, this.namespace, "replaceImplementation", name);
    if (scopes) {
      this.#scopes.set(handle, scopes.compile, scopes.keep);
    }
    const superclass = this.#superclass(definition);
    if (implementation)
      requireParent(
        this.namespace.name,
        handle,
        definition,
        superclass,
        implementation,
        (c) => this.#classes.get(c)?.version?.ctor,
      );
    const ctor =
      implementation ??
      createVersion(
        definition,
        { superclass, scope: this.#scope(handle), prototype: stablePrototype(handle) },
        currentVersion(handle).ctor,
      );
    const version: ClassVersion = { ctor, definition };
    const entry = this.#classes.get(handle);
    if (entry?.added) {
      // A class added by this shadow simply gets its final shape as version 1.
      const scope = this.#scope(handle);
      this.#classes.delete(handle);
      this.#scopes.delete(handle);
      this.#produce((bindings) => {
        delete bindings[name];
      });
      this.addClass(definition, scope, ctor);
      return version;
    }
    this.#classes.set(handle, {
      handle,
      added: false,
      definition,
      version,
      ...(staticOrigins && staticOrigins.size > 0 ? { staticOrigins } : {}),
    });
    if (definition.name !== name) this.renameBinding(name, definition.name);
    this.#definitions.set(definition.name, definition);
    return version;
  }

  removeBinding(name: string): void {
    const binding = this.binding(name);
    if (binding.kind === "class") {
      this.#classes.delete(binding.handle);
      this.#scopes.delete(binding.handle);
    }
    this.#produce((bindings) => {
      delete bindings[name];
    });
  }

  renameBinding(from: string, to: string): void {
    const binding = this.binding(from);
    if (from === to) return;
    this.#requireBindable(to);
    if (this.has(to)) {
      throw new DuplicateBindingError(`the shadow already binds "${to}"`, {
        namespace: this.namespace.name,
        binding: to,
      });
    }
    const renamed = { ...binding, name: to } as Binding;
    this.#produce((bindings) => {
      delete bindings[from];
      bindings[to] = renamed;
    });
  }

  /** Binds or rebinds a function or a value. */
  define(name: string, value: unknown): void {
    this.#requireBindable(name);
    const binding: Binding =
      typeof value === "function"
        ? { kind: "function", name, function: value }
        : { kind: "value", name, box: new BoxedValue(value) };
    this.#produce((bindings) => {
      bindings[name] = binding;
    });
  }
}

/** Makes a shadow of `namespace`: copy-on-write, invisible until replaced. */
export function cloneNamespace(namespace: Namespace): Shadow {
  refuseNotA(isInstance(namespace, Namespace), "cloneNamespace", "a Namespace", namespace);
  return new Shadow(namespace);
}

/** A JavaScript caller's (or one through `any`) wrong kind of argument, refused before anything is read from it. */
export function refuseNotA(is: boolean, call: string, what: string, value: unknown): void {
  if (is) return;
  const type = kindOf(value);
  throw new InvalidArgumentError(`${call} takes ${what}, not ${type}`, { call, type });
}
