/**
 * The operations a patch is made of. Operations are data: every function is
 * carried as source text (`source`) so a patch can be printed and serialised;
 * a patch built in-process also keeps the live function (`fn`), which the
 * update uses. A patch read back from JSON has sources only until it is
 * hydrated explicitly.
 */
import type {
  FieldDefinition,
  MemberKey,
  MethodDefinition,
  MethodKind,
} from "../mop/classDefinition.js";

/** A function carried by a patch: its source text, and the live function when there is one. */
export interface PatchFunction<F extends Function = Function> {
  readonly source: string;
  readonly fn?: F;
}

/** A read-only view of an object as it was before the update, including fields being removed. */
export type OldView = Readonly<Record<string, unknown>>;

/** Derives a value for a new field of a migrated object from its old state. */
export type FieldInitialiser = (old: OldView) => unknown;

/** Sets derived fields on `target` (the migrated object, already carrying default-migrated fields). */
export type Migrator = (old: OldView, target: Record<string, unknown>) => void;

/** A predicate over the new world; returns true, or false / a message when it fails. */
export type NamespaceValidation = (world: ValidationWorld) => boolean | string;
export type InstanceValidation = (instance: Readonly<Record<string, unknown>>) => boolean | string;

/** What application validations see of the shadow. */
export interface ValidationWorld {
  /** The shadow's value for a binding (a class handle, function or value), or undefined. */
  lookup(name: string): unknown;
  /** Migrated instances of a class in the shadow (by its new name), subclasses included. */
  instancesOf(className: string): readonly object[];
}

/**
 * What an update hook (`afterCommit`, `afterRollback`) is given: the live
 * world right after the commit, or right after the rollback.
 */
export interface UpdateHookContext {
  /** The patch whose update is committing or being rolled back. */
  readonly patch: string;
  /** The namespace's version now: the new one after the commit, the restored one after a rollback. */
  readonly version: number;
  /** The live value of a binding (a class handle, function or value), or undefined. */
  lookup(name: string): unknown;
  /**
   * The live instances of a class (by its name in the version now running),
   * subclasses included. Under the lazy and progressive policies, objects not
   * yet touched are migrated when one of their methods is called.
   */
  instancesOf(className: string): readonly object[];
}

/**
 * Program code a patch carries for after its commit (re-arm timers, rebuild
 * per-instance closures) or for after its rollback (undo that). Synchronous:
 * it runs inside the update's pause.
 */
export type UpdateHook = (context: UpdateHookContext) => void;

export type Policy = "eager" | "lazy" | "progressive";

export interface ClassShape {
  readonly name: string;
  readonly superclass?: string | null;
  readonly fields?: readonly FieldDefinition[];
  readonly methods?: readonly MethodDefinition[];
  readonly staticFields?: readonly FieldDefinition[];
}

export type Operation =
  | { readonly op: "addClass"; readonly shape: ClassShape }
  | { readonly op: "removeClass"; readonly className: string }
  | { readonly op: "renameClass"; readonly className: string; readonly to: string }
  | {
      readonly op: "addField";
      readonly className: string;
      readonly field: string;
      /** Expression source giving each new object (and migrated objects without `initial`) its value. */
      readonly defaultSource?: string;
      /** Derives the value for a migrated object from its old state. */
      readonly initial?: PatchFunction<FieldInitialiser>;
      /** Insert before this field (default: at the end of the class's own fields). */
      readonly before?: string;
    }
  | { readonly op: "removeField"; readonly className: string; readonly field: string }
  /**
   * Static (class-side) data fields. Their values live on the class, not on
   * instances: each new version of a class keeps the values of the statics it
   * shares with the old one, a renamed static keeps its value under its new
   * name, and an added or re-initialised one takes the value of its
   * initialiser (`defaultSource`, an expression; `this` is the class).
   */
  | {
      readonly op: "addStaticField";
      readonly className: string;
      readonly field: string;
      readonly defaultSource?: string;
    }
  | { readonly op: "removeStaticField"; readonly className: string; readonly field: string }
  | {
      readonly op: "renameStaticField";
      readonly className: string;
      readonly field: string;
      readonly to: string;
    }
  /** Gives a static its initialiser's value again (a new `defaultSource` replaces the initialiser). */
  | {
      readonly op: "reinitialiseStaticField";
      readonly className: string;
      readonly field: string;
      readonly defaultSource?: string;
    }
  | {
      readonly op: "renameField";
      readonly className: string;
      readonly field: string;
      readonly to: string;
    }
  | { readonly op: "reorderFields"; readonly className: string; readonly order: readonly string[] }
  /** Moves a field declared by `className` to its superclass (and removes it from siblings that declare it). */
  | { readonly op: "pullUpField"; readonly className: string; readonly field: string }
  /** Moves a field declared by `className` down into every direct subclass. */
  | { readonly op: "pushDownField"; readonly className: string; readonly field: string }
  | {
      readonly op: "changeSuperclass";
      readonly className: string;
      readonly superclass: string | null;
    }
  /** Adds class `shape` (whose superclass is `className`'s current one) between `className` and its superclass. */
  | { readonly op: "insertSuperclass"; readonly className: string; readonly shape: ClassShape }
  | { readonly op: "addMethod"; readonly className: string; readonly method: MethodDefinition }
  | { readonly op: "replaceMethod"; readonly className: string; readonly method: MethodDefinition }
  | {
      readonly op: "removeMethod";
      readonly className: string;
      readonly key: MemberKey;
      readonly static: boolean;
      readonly kind?: MethodKind;
    }
  /**
   * Moves `fields` of `className` into a new class `into`; every instance gets
   * its own new `into` object, referenced by the new field `via`.
   */
  | {
      readonly op: "splitClass";
      readonly className: string;
      readonly fields: readonly string[];
      readonly into: string;
      readonly via: string;
    }
  | {
      readonly op: "migrator";
      readonly className: string;
      readonly migrator: PatchFunction<Migrator>;
    }
  /**
   * A new implementation of a class written as ordinary code (live reload):
   * its fields, methods and constructor replace the class's. Values follow
   * field names; `renames` maps a new field name to the old field whose
   * value it takes. Statics take the values the new class gives them, except
   * those named in `keepStatics`, which keep their running value (written
   * onto the new class). `sameScope`: the new class was evaluated in the
   * running version's own module scope, so state the class keeps for its
   * objects in that scope (a WeakMap keyed by the object) is the same.
   */
  | {
      readonly op: "replaceImplementation";
      readonly className: string;
      readonly implementation: PatchFunction<Function>;
      readonly renames?: Readonly<Record<string, string>>;
      readonly keepStatics?: readonly string[];
      readonly sameScope?: boolean;
    }
  | {
      readonly op: "validateNamespace";
      readonly name: string;
      readonly check: PatchFunction<NamespaceValidation>;
    }
  | {
      readonly op: "validateInstances";
      readonly name: string;
      readonly className: string;
      readonly check: PatchFunction<InstanceValidation>;
    }
  /**
   * Runs in the commit's synchronous block, once the new version is
   * installed (eager: every object migrated; lazy and progressive: the
   * guards in place). If it throws, the update is rolled back exactly.
   */
  | {
      readonly op: "afterCommit";
      readonly name: string;
      readonly hook: PatchFunction<UpdateHook>;
    }
  /**
   * Runs whenever the committed update is rolled back (asked for, a failed
   * health check, a lazy migration that failed, an afterCommit hook that
   * threw), once the old version is back: it undoes what afterCommit did.
   */
  | {
      readonly op: "afterRollback";
      readonly name: string;
      readonly hook: PatchFunction<UpdateHook>;
    }
  | { readonly op: "policy"; readonly policy: Policy };

export type OperationKind = Operation["op"];
