/**
 * Acceptance 3: type tests for typed migrations, checked by `tsc --noEmit`
 * (which `npm test` runs). Each `@ts-expect-error` line must fail to
 * compile — an unused one is itself an error — and every other line must
 * compile, so both directions are proven.
 */

import fc from "fast-check";
import type { Migrator } from "../../src/index.js";
import { patch } from "../../src/index.js";
import type {
  CarriedFields,
  DataFields,
  RequiredFields,
  TypedMigration,
} from "../../src/testing/index.js";
import { checkMigration, typedMigration } from "../../src/testing/index.js";

interface PersonV1 {
  first: string;
  last: string;
  age: number;
  nickname?: string;
  greet(): string;
}

interface PersonV2 {
  fullName: string;
  age: number;
  /** Type changed: a number of years became a string label. */
  ageGroup: "child" | "adult";
  nickname?: string;
  tags: string[];
  greet(): string;
}

// --- The derived types ---------------------------------------------------------------

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_proof?: T) => undefined;

// Methods are not fields.
assertType<Equal<keyof DataFields<PersonV1>, "first" | "last" | "age" | "nickname">>();
// `age` keeps its name and type, `nickname` too: the default migration fills them.
assertType<Equal<CarriedFields<PersonV1, PersonV2>, "age" | "nickname">>();
// What a migration must derive: the new fields, minus the optional ones.
assertType<Equal<RequiredFields<PersonV1, PersonV2>, "fullName" | "ageGroup" | "tags">>();
assertType<Equal<RequiredFields<PersonV1, PersonV2, "tags">, "fullName" | "ageGroup">>();
// @ts-expect-error — `age` is carried, not required
assertType<Equal<RequiredFields<PersonV1, PersonV2>, "fullName" | "ageGroup" | "tags" | "age">>();

// --- Derivations, one per field --------------------------------------------------------

const toV2 = typedMigration<PersonV1, PersonV2>()({
  fullName: (old) => `${old.first} ${old.last}`,
  ageGroup: (old) => (old.age >= 18 ? "adult" : "child"),
  tags: () => [],
});
// A typed migration is a Migrator: the patch builder takes it as it is.
const asMigrator: Migrator = toV2;
void asMigrator;
patch("v2").addField("Person", "fullName").migrate("Person", toV2).build();
// `derive` gives the new values, typed.
const derived: { readonly fullName?: string } = toV2.derive({ first: "a", last: "b", age: 3 });
void derived;
const typed: TypedMigration<PersonV1, PersonV2> = toV2;
void typed;

// Carried fields may be derived anyway, with their new type.
typedMigration<PersonV1, PersonV2>()({
  fullName: (old) => old.first,
  ageGroup: () => "child",
  tags: () => ["x"],
  age: (old) => old.age + 1,
});

// Fields the patch fills itself (addField with a default) can be named and left out.
typedMigration<PersonV1, PersonV2, "tags">()({
  fullName: (old) => old.first,
  ageGroup: () => "adult",
});

// @ts-expect-error — forgets the new required field `fullName`
typedMigration<PersonV1, PersonV2>()({
  ageGroup: () => "adult",
  tags: () => [],
});

typedMigration<PersonV1, PersonV2>()({
  // @ts-expect-error — `fullName` must be a string, not a number
  fullName: (old) => old.age,
  ageGroup: () => "adult",
  tags: () => [],
});

typedMigration<PersonV1, PersonV2>()({
  fullName: (old) => old.first,
  // @ts-expect-error — "teen" is not an age group
  ageGroup: () => "teen",
  tags: () => [],
});

typedMigration<PersonV1, PersonV2>()({
  fullName: (old) => old.first,
  ageGroup: () => "adult",
  tags: () => [],
  // @ts-expect-error — PersonV2 has no field `surname`
  surname: (old: DataFields<PersonV1>) => old.last,
});

typedMigration<PersonV1, PersonV2>()({
  // @ts-expect-error — the old object has no `fullName` to read
  fullName: (old) => old.fullName,
  ageGroup: () => "adult",
  tags: () => [],
});

typedMigration<PersonV1, PersonV2>()({
  fullName: (old) => old.first,
  ageGroup: () => "adult",
  tags: () => [],
  // @ts-expect-error — a carried field given a value of the wrong type
  age: () => "old",
});

typedMigration<PersonV1, PersonV2>()({
  fullName: (o) => o.first,
  ageGroup: () => "adult",
  tags: () => [],
  // @ts-expect-error — a method is not a field to derive
  greet: () => () => "hi",
});

// --- One function for all the fields ------------------------------------------------------

typedMigration<PersonV1, PersonV2>().all((old) => ({
  fullName: `${old.first} ${old.last}`,
  ageGroup: old.age >= 18 ? "adult" : "child",
  tags: [],
}));

// @ts-expect-error — forgets `tags`
typedMigration<PersonV1, PersonV2>().all((old) => ({
  fullName: old.first,
  ageGroup: "adult",
}));

typedMigration<PersonV1, PersonV2>().all((old) => ({
  // @ts-expect-error — `fullName` must be a string
  fullName: old.age,
  ageGroup: "adult",
  tags: [],
}));

// --- A new version that only drops fields needs no derivation at all -----------------------

interface PersonV0 {
  first: string;
  age: number;
}
typedMigration<PersonV1, PersonV0>()({});
// @ts-expect-error — but a field that changed type does
typedMigration<PersonV1, { age: string }>()({});

// --- References to migrated objects --------------------------------------------------------

interface NodeV1 {
  label: string;
  next: NodeV1 | null;
  children: NodeV1[];
}
interface NodeV2 {
  title: string;
  next: NodeV2 | null;
  children: NodeV2[];
}
// `next` and `children` point at objects that are migrated too: they are carried.
assertType<Equal<RequiredFields<NodeV1, NodeV2>, "title">>();
typedMigration<NodeV1, NodeV2>()({ title: (old) => old.label });
// @ts-expect-error — but `title` is still required
typedMigration<NodeV1, NodeV2>()({ next: () => null });

// --- Typed field values for checkMigration ---------------------------------------------------

type Schema = { Person: { first: string; age: number } };
const personPatch = patch<Schema>("typed").addField("Person", "nick", { default: "" }).build();
void checkMigration<Schema>(personPatch, {
  classes: [{ name: "Person", fields: ["first", "age"] }],
  values: { Person: { first: fc.string(), age: fc.nat() } },
  numRuns: 1,
});
void checkMigration<Schema>(personPatch, {
  classes: [{ name: "Person", fields: ["first", "age"] }],
  // @ts-expect-error — `age` is a number
  values: { Person: { age: fc.string() } },
  numRuns: 1,
});
