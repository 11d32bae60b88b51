/**
 * An example migration test to copy next to your patches.
 *
 * In your project, import from "metamorph", "metamorph/testing" and
 * "metamorph/testing/vitest" instead of the relative paths below, and let
 * Vitest pick the file up (e.g. as `test/person-v2.test.ts`).
 *
 * It proves, before the patch touches a live program, that the migration
 * is total, keeps its validations, rolls back exactly, does not depend on
 * the migration policy, leaves what it does not migrate alone, round-trips
 * with its reverse, and derives every new field as intended.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { checkMigration, formatMigrationReport, typedMigration } from "../../src/testing/index.js";
import { describeMigration } from "../../src/testing/vitest.js";

// 1. The class as it is in production today.
interface PersonV1 {
  first: string;
  last: string;
  born: number;
  friend: PersonV1 | null;
  greet(): string;
}

const Person = {
  name: "Person",
  fields: [
    { name: "first", initializer: '""' },
    { name: "last", initializer: '""' },
    { name: "born", initializer: "1970" },
    { name: "friend", initializer: "null" },
  ],
  methods: {
    greet(this: PersonV1) {
      return `Hello, ${this.first}`;
    },
  },
};

// 2. The version to ship, and a migration typed by both versions: forget
//    `fullName` or give it a number and this file does not compile.
interface PersonV2 {
  first: string;
  last: string;
  birthYear: number;
  fullName: string;
  friend: PersonV2 | null;
  greet(): string;
}

// `birthYear` is filled by the rename below, so the migration need not derive it.
const deriveV2 = typedMigration<PersonV1, PersonV2, "birthYear">()({
  fullName: (old) => [old.first, old.last].filter((part) => part !== "").join(" "),
});

const personV2 = patch("person-v2")
  .renameField("Person", "born", "birthYear")
  .addField("Person", "fullName", { default: "" })
  .migrate("Person", deriveV2)
  .replaceMethods("Person", {
    greet(this: PersonV2) {
      return `Hello, ${this.fullName}`;
    },
  })
  .validateInstances(
    "fullName is text",
    "Person",
    // Runs on the migrated objects under every policy: a lazy update dry-runs
    // the migration on copies and validates those before it commits.
    (p) => typeof p.fullName === "string" || "fullName is not a string",
  )
  .build();

// 3. Its reverse: the round trip proves that nothing is lost, and it is your rollback plan.
const personV2Back = patch("person-v2-back")
  .renameField("Person", "birthYear", "born")
  .removeField("Person", "fullName")
  .replaceMethods("Person", Person.methods)
  .build();

// 4. How old instances look: names without spaces, plausible years. Fields
//    not listed get values like their defaults (and `friend`, whose default
//    is null, sometimes another Person: shared references and cycles).
const name = fc.stringMatching(/^[A-Z][a-z]{0,7}$/);
const options = {
  classes: [Person],
  values: {
    Person: {
      first: name,
      last: fc.oneof(name, fc.constant("")),
      born: fc.integer({ min: 1900, max: 2024 }),
    },
  },
  reverse: personV2Back,
  postcondition: (old: Readonly<Record<string, unknown>>, now: Readonly<Record<string, unknown>>) =>
    (now.birthYear === old.born &&
      now.fullName === (old.last === "" ? old.first : `${old.first} ${old.last}`)) ||
    `fullName ${JSON.stringify(now.fullName)}, birthYear ${String(now.birthYear)}`,
  seed: 42,
  numRuns: 300,
} as const;

// 5a. One Vitest test per property; a failure prints the shrunk
//     counterexample and the seed and path that replay it.
describeMigration(personV2, options);

// 5b. Or the whole report in one test.
test("person-v2 is safe to ship", async () => {
  const report = await checkMigration(personV2, options);
  expect(report.ok, formatMigrationReport(report)).toBe(true);
});
