/**
 * The builder's types: what it knows of the classes, as
 * `{ Class: { field: type } }`, how each step changes that knowledge, and the
 * options of its steps.
 */
import type { MethodKind } from "../mop/classDefinition.js";
import type { OldView } from "./operations.js";

/** Known classes and their fields (the value types are documentation only). */
export type PatchSchema = object;

/** The schema of an untyped builder: any class, any field. */
export type AnySchema = Record<string, Record<string, unknown>>;

export type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type IsOpen<S> = string extends keyof S ? true : false;

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

export type FieldsOf<S, C> = C extends keyof S ? S[C] : {};

/** `S` with class `C` described by `Fields` (an open schema stays open). */
export type SetClass<S, C extends string, Fields> =
  IsOpen<S> extends true ? S : Simplify<Omit<S, C> & { [K in C]: Simplify<Fields> }>;

export type DropClass<S, C extends PropertyKey> = IsOpen<S> extends true ? S : Simplify<Omit<S, C>>;

export type RenameKey<T, From extends PropertyKey, To extends string> = Omit<T, From> & {
  [K in To]: From extends keyof T ? T[From] : unknown;
};

type SpecFieldName<F> = F extends string
  ? F
  : F extends { readonly name: infer N extends string }
    ? N
    : never;

/** The fields a ClassSpec declares, when written as a literal. */
export type SpecFields<Spec> = Spec extends { readonly fields: readonly (infer F)[] }
  ? { [K in SpecFieldName<F>]: unknown }
  : {};

export type SpecName<Spec> = Spec extends { readonly name: infer N extends string } ? N : string;

/**
 * What a migrator's or an initialiser's `old` is: the class's fields at the
 * start of the patch, read-only, where the schema gives them (`O`); else any
 * field, unknown.
 */
export type OldFields<O, C> =
  IsOpen<O> extends true
    ? OldView
    : C extends keyof O
      ? IsOpen<O[C]> extends true
        ? OldView
        : Readonly<O[C]>
      : OldView;

/** What a migrator's `target` is: the class's fields after the steps so far, where the schema gives them. */
export type TargetFields<S, C> =
  IsOpen<S> extends true
    ? Record<string, unknown>
    : C extends keyof S
      ? IsOpen<S[C]> extends true
        ? Record<string, unknown>
        : { -readonly [K in keyof S[C]]: S[C][K] }
      : Record<string, unknown>;

/** A migrator of class `C`, typed by the schema (see OldFields, TargetFields). */
export type TypedMigrator<O, S, C> = (old: OldFields<O, C>, target: TargetFields<S, C>) => void;

/** The start-of-patch fields after class `From` is renamed `To` (a class the patch added has none). */
export type RenameOldClass<O, From extends PropertyKey, To extends string> =
  IsOpen<O> extends true
    ? O
    : From extends keyof O
      ? SetClass<DropClass<O, From>, To, O[From]>
      : DropClass<O, To>;

/** What `this` is inside methods given as an object literal: the known fields, anything else unknown (with the literal's own members, see the builder). */
export type InstanceOf<S, C> = Simplify<FieldsOf<S, C> & { readonly [key: string]: unknown }>;

// ---------------------------------------------------------------------------
// Options

export interface AddFieldOptions<S = AnySchema, C = string, O = S> {
  /**
   * The value of the field in new objects, and in migrated objects unless
   * `initial` derives one. Must be JSON-serialisable: it is stored as source
   * text, so every object gets its own copy.
   */
  readonly default?: unknown;
  /** A JavaScript expression computing the value (`this` is the object under construction). */
  readonly defaultSource?: string;
  /** Derives the value for a migrated object from its old state (its fields at the start of the patch, see OldFields). */
  readonly initial?: (old: OldFields<O, C>) => unknown;
  /** Insert the field before this one (default: after the class's own fields). */
  readonly before?: FieldName<S, C>;
}

export interface StaticFieldOptions {
  /** The value (JSON-serialisable: it is stored as source text). */
  readonly default?: unknown;
  /** A JavaScript expression computing the value (`this` is the class). */
  readonly defaultSource?: string;
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
