/**
 * Worlds for testing migrations, as data: the classes a patch applies to
 * (class specs or a namespace factory), populations of their instances (a
 * `WorldSpec`: which instances, of which classes, with which field values,
 * where a value may be a reference to another instance — shared references
 * and cycles included), and the options that shape them. One generated spec
 * builds into fresh live objects as often as needed (once per policy, say),
 * and a failing case shrinks and prints as data.
 */
import type fc from "fast-check";
import type { ClassDefinition, ClassSpec } from "../../mop/classDefinition.js";
import type { Namespace } from "../../namespace/namespace.js";

/** A field value of a generated instance: a value, or a reference to instance `ref` of the world. */
export type ValueSpec = { readonly value: unknown } | { readonly ref: number };

export interface InstanceSpec {
  /** The class, by its name in the namespace. */
  readonly className: string;
  /**
   * The fields of the class, inherited first, in constructor order; a field
   * left out keeps the value the constructor gives it.
   */
  readonly fields: Readonly<Record<string, ValueSpec>>;
  /**
   * The entries of an instance of a class extending Map (a Map of them) or
   * Set (a Set), put in with its own `set` or `add` once the instances exist;
   * keys and values may be `worldInstance` placeholders.
   */
  readonly contents?: ReadonlyMap<unknown, unknown> | ReadonlySet<unknown>;
}

/** A population of instances, as data. References index into `instances`. */
export interface WorldSpec {
  readonly instances: readonly InstanceSpec[];
}

/** The classes a patch applies to: class specs, or a factory of fresh namespaces holding them. */
export type WorldSource =
  | {
      /**
       * The classes, made afresh in a new namespace for every world
       * (superclasses first): ordinary classes (`class Account { … }`, copied
       * from their source and registered) and class specs (defined).
       */
      readonly classes: readonly (Function | ClassSpec)[];
      /** Names visible to the classes' method and initialiser sources. */
      readonly scope?: Readonly<Record<string, unknown>>;
    }
  | {
      /** Returns a fresh namespace holding the classes (and no instances the check should see). */
      readonly namespace: () => Namespace;
    };

/** Field value arbitraries for one class: one per field, or one for the whole record of fields. */
export type ClassValues<Fields = Record<string, unknown>> =
  | { readonly [F in keyof Fields]?: fc.Arbitrary<Fields[F]> }
  | fc.Arbitrary<Partial<Fields>>;

/** A schema of classes and their fields, as in the typed patch builder: `{ Person: { name: string } }`. */
export type WorldSchema = object;

/** Field value arbitraries by class name; a class's entry also serves its subclasses. */
export type ValuesOption<S extends WorldSchema = Record<string, Record<string, unknown>>> = {
  readonly [C in keyof S]?: ClassValues<S[C]>;
};

/** A world's own class, as `construct` is given it. */
export type WorldClassConstructor = new (...args: unknown[]) => object;

/** Builds an instance of a world's class (`Class`) from its generated field values. */
export type ConstructInstance = (
  values: Record<string, unknown>,
  Class: WorldClassConstructor,
) => object;

export interface InstanceOptions<S extends WorldSchema = Record<string, Record<string, unknown>>> {
  /** Field values by class (default: inferred from each field's initial value, see `inferredValues`). */
  readonly values?: ValuesOption<S>;
  /**
   * How to construct an instance of a class from its field values, by class
   * name: `{ Session: (values, Class) => Object.assign(new Class(), values) }`.
   * `Class` is the world's own copy of the class, the one its update
   * migrates: build with it, not with the imported class (an instance of
   * anything else is refused). Default: `new Class(values)` for classes made
   * by metamorph, else `new Class(…)` given the values of the fields its
   * parameters set (`constructor(public owner = "")`), followed by assignments.
   */
  readonly construct?: Readonly<Record<string, ConstructInstance>>;
  /** Fewest instances per world (default 0). */
  readonly minInstances?: number;
  /** Most instances per world (default 5). */
  readonly maxInstances?: number;
  /**
   * Whether fields with no declared values may hold references to other
   * instances, and instances may share a plain sub-object (default true).
   */
  readonly references?: boolean;
  /** The classes to instantiate (default: every class). */
  readonly instantiate?: readonly string[];
}

/** What the kit knows of one class of a world source. */
export interface WorldClass {
  readonly name: string;
  readonly definition: ClassDefinition;
  /** Every instance field, inherited first. */
  readonly fields: readonly string[];
  /**
   * Each field's value in a fresh instance (`new C()`), or, when the
   * constructor needs arguments, its initialiser evaluated on its own.
   */
  readonly samples: Readonly<Record<string, unknown>> | undefined;
  /**
   * For a class extending Map or Set: what a fresh instance holds, as a plain
   * Map or Set (empty when the constructor needs arguments).
   */
  readonly contents?: ReadonlyMap<unknown, unknown> | ReadonlySet<unknown>;
}

/** A world source, resolved once: how to make a namespace, and its classes. */
export interface WorldModel {
  readonly make: () => Namespace;
  readonly classes: readonly WorldClass[];
}

/** A built world: a fresh namespace and the live instances of a spec (in spec order). */
export interface LiveWorld {
  readonly spec: WorldSpec;
  readonly namespace: Namespace;
  readonly instances: readonly object[];
}
