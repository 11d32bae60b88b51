/**
 * Typed migrations: a migrator whose type is derived from the old and the
 * new instance types, so that forgetting a new required field, or giving it
 * a value of the wrong type, is a compile error.
 *
 *     interface PersonV1 { first: string; last: string; age: number }
 *     interface PersonV2 { fullName: string; age: number; greet(): string }
 *
 *     const toV2 = typedMigration<PersonV1, PersonV2>()({
 *       fullName: (old) => `${old.first} ${old.last}`,
 *       // age: carried over by name, may be omitted
 *     });
 *     patch("v2").addField("Person", "fullName").removeField("Person", "first")
 *       .removeField("Person", "last").migrate("Person", toV2).build();
 *
 * What the type asks for: one derivation per data field of `New` (methods
 * and other functions are not fields) unless the default migration fills it
 * — the field exists in `Old` under the same name with an assignable type —
 * or the field may be undefined, or it is named in `Filled` (fields the
 * patch itself fills, with `default` or `initial`). A derivation for a field
 * `New` does not have is refused too.
 *
 * The result is a `Migrator` (give it to the builder's `migrate`) that also
 * exposes `derive(old)`, the new values alone, for unit tests. It is a live
 * function: a patch carrying it can be applied in-process but its source,
 * written to JSON, does not carry the derivations' closures.
 */
import type { Migrator, OldView } from "../patch/operations.js";

/** The data fields of an instance type: everything but functions (methods). */
export type DataFields<T> = {
  [K in keyof T as K extends string ? (T[K] extends Function ? never : K) : never]: T[K];
};

type Keys<T> = keyof DataFields<T> & string;

/**
 * A field type as the update leaves it: a reference to an old instance is a
 * reference to the same object migrated (`Old` becomes `New`), also inside
 * unions (`Old | null`) and arrays (`Old[]`).
 */
export type Migrated<T, Old, New> = T extends Old
  ? New
  : T extends readonly (infer E)[]
    ? (E extends Old ? New : E)[]
    : T;

/** Fields of `New` the default migration fills: same name in `Old`, with a type that fits the new one. */
export type CarriedFields<Old, New> = {
  [K in Keys<New>]: K extends Keys<Old>
    ? [Migrated<DataFields<Old>[K], Old, New>] extends [DataFields<New>[K]]
      ? K
      : never
    : never;
}[Keys<New>];

/** Fields of `New` that may be left undefined. */
export type OptionalFields<New> = {
  [K in Keys<New>]-?: undefined extends DataFields<New>[K] ? K : never;
}[Keys<New>];

/** Fields of `New` a typed migration must derive. */
export type RequiredFields<Old, New, Filled extends string = never> = Exclude<
  Keys<New>,
  CarriedFields<Old, New> | OptionalFields<New> | Filled
>;

/** One function per field: required for the fields the migration must derive, optional for the others. */
export type Derivations<Old, New, Filled extends string = never> = {
  readonly [K in RequiredFields<Old, New, Filled>]: (old: DataFields<Old>) => DataFields<New>[K];
} & {
  readonly [K in Exclude<Keys<New>, RequiredFields<Old, New, Filled>>]?: (
    old: DataFields<Old>,
  ) => DataFields<New>[K];
};

/** The new values a whole-record derivation returns: the required fields, and any others. */
export type DerivedFields<Old, New, Filled extends string = never> = {
  readonly [K in RequiredFields<Old, New, Filled>]: DataFields<New>[K];
} & {
  readonly [K in Exclude<Keys<New>, RequiredFields<Old, New, Filled>>]?: DataFields<New>[K];
};

/** A migrator typed by its old and new instance types. */
export interface TypedMigration<Old, New, Filled extends string = never> extends Migrator {
  /** The values the migration gives the new fields of a migrated `old` (for unit tests). */
  readonly derive: (old: DataFields<Old>) => Partial<DerivedFields<Old, New, Filled>>;
}

export interface TypedMigrationBuilder<Old, New, Filled extends string> {
  /** One derivation per field (a missing, mistyped or unknown field is a compile error). */
  (derivations: Derivations<Old, New, Filled>): TypedMigration<Old, New, Filled>;
  /**
   * One function returning all the new values, for fields derived together.
   * TypeScript checks missing and mistyped fields here, but not unknown
   * ones (a function's returned literal is not checked for excess
   * properties); those are refused at update time, as the migrated object
   * would not conform to its class.
   */
  all(
    derive: (old: DataFields<Old>) => DerivedFields<Old, New, Filled>,
  ): TypedMigration<Old, New, Filled>;
}

/**
 * `typedMigration<Old, New>()(derivations)`: a Migrator that type-checks
 * against the old and new instance types. `Filled` names new fields the
 * patch fills itself (addField with `default` or `initial`).
 */
export function typedMigration<Old, New, Filled extends Keys<New> = never>(): TypedMigrationBuilder<
  Old,
  New,
  Filled
> {
  const finish = (
    derive: (old: DataFields<Old>) => Record<string, unknown>,
  ): TypedMigration<Old, New, Filled> => {
    const migrator = (old: OldView, target: Record<string, unknown>): void => {
      const values = derive(old as DataFields<Old>);
      for (const field of Object.keys(values)) target[field] = values[field];
    };
    return Object.assign(migrator, {
      derive: derive as (old: DataFields<Old>) => Partial<DerivedFields<Old, New, Filled>>,
    });
  };
  const perField = (derivations: Derivations<Old, New, Filled>) => {
    if (typeof derivations !== "object" || derivations === null) {
      throw new TypeError(
        "typedMigration: expected an object of derivations, one function per field",
      );
    }
    const entries = Object.entries(derivations as Record<string, unknown>);
    for (const [field, fn] of entries) {
      if (typeof fn !== "function") {
        throw new TypeError(
          `typedMigration: the derivation of field ${field} must be a function, got ${typeof fn}`,
        );
      }
    }
    const fns = entries as [string, (old: DataFields<Old>) => unknown][];
    return finish((old) => {
      const out: Record<string, unknown> = {};
      for (const [field, fn] of fns) out[field] = fn(old);
      return out;
    });
  };
  const all = (derive: (old: DataFields<Old>) => DerivedFields<Old, New, Filled>) => {
    if (typeof derive !== "function") {
      throw new TypeError("typedMigration(...).all: expected a function returning the new values");
    }
    return finish((old) => ({ ...(derive(old) as Record<string, unknown>) }));
  };
  return Object.assign(perField, { all });
}
