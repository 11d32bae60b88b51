/**
 * `values` (and `instantiate`) name classes and fields of the world: a name
 * the world lacks is refused (MM_INVALID_OPTION, naming it and the one
 * likely meant), as `construct` already was. A misspelt class or field was
 * skipped, the check ran on default-generated values, and a totality bug the
 * values were written to reach passed unseen.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidOptionError } from "../../src/errors.js";
import { patch } from "../../src/index.js";
import type { CheckMigrationOptions, ValuesOption } from "../../src/testing/index.js";
import {
  checkMigration,
  formatMigrationReport,
  instanceArbitrary,
  worldArbitrary,
  worldModel,
  worldSpecArbitrary,
} from "../../src/testing/index.js";

const Person = { name: "Person", fields: [{ name: "name", initializer: '"x"' }] };
const Animal = { name: "Animal", fields: [{ name: "name", initializer: '""' }] };
const Dog = {
  name: "Dog",
  superclass: "Animal",
  fields: [{ name: "barks", initializer: "false" }],
};

// The initialiser throws on the name "legacy": the values make sure it is generated.
const withId = patch("v2")
  .addField("Person", "id", {
    initial: (old) => {
      if (old.name === "legacy") throw new Error("no id for legacy");
      return 1;
    },
  })
  .build();

const check = (values: unknown) =>
  checkMigration(withId, {
    classes: [Person],
    values: values as ValuesOption,
    numRuns: 20,
    seed: 1,
    properties: ["totality"],
  });

async function refusal(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("values", () => {
  test("spelt right, they reach the bug; a misspelt class or field is refused, not skipped", async () => {
    const report = await check({ Person: { name: fc.constant("legacy") } });
    expect(report.ok, formatMigrationReport(report)).toBe(false);
    expect(await refusal(() => check({ Persn: { name: fc.constant("legacy") } }))).toMatchObject({
      code: "MM_INVALID_OPTION",
      details: { option: "values", className: "Persn", known: ["Person"] },
      message: expect.stringContaining("did you mean Person?"),
    });
    expect(await refusal(() => check({ Person: { nmae: fc.constant("legacy") } }))).toMatchObject({
      code: "MM_INVALID_OPTION",
      details: { option: "values", className: "Person", field: "nmae", known: ["name"] },
      message: expect.stringContaining("did you mean name?"),
    });
  });

  test("any class name the world lacks is refused, by every function taking values (seeded)", async () => {
    const model = worldModel({ classes: [Animal, Dog] });
    const calls = [
      (values: ValuesOption) =>
        checkMigration(withId, { classes: [Animal, Dog], values, numRuns: 1 }),
      (values: ValuesOption) => worldArbitrary({ classes: [Animal, Dog] }, { values }),
      (values: ValuesOption) => worldSpecArbitrary(model, { values }),
      (values: ValuesOption) => instanceArbitrary(Dog, { classes: [Animal], values }),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 10 }).filter((n) => n !== "Animal" && n !== "Dog"),
        fc.constantFrom(...calls),
        async (name, call) => {
          const error = await refusal(() => call({ [name]: { name: fc.constant("a") } }));
          expect(error).toBeInstanceOf(InvalidOptionError);
          expect((error as InvalidOptionError).details).toMatchObject({ className: name });
        },
      ),
      { seed: 31, numRuns: 60 },
    );
  });

  test("any field no class the entry serves has is refused; a subclass's field in its superclass's entry is used (seeded)", async () => {
    const model = worldModel({ classes: [Animal, Dog] });
    await fc.assert(
      fc.property(
        fc.constantFrom("Animal", "Dog"),
        fc.string({ minLength: 1, maxLength: 10 }).filter((f) => f !== "name" && f !== "barks"),
        (className, field) => {
          const values = { [className]: { [field]: fc.constant(1) } };
          expect(() => worldSpecArbitrary(model, { values })).toThrow(
            expect.objectContaining({
              code: "MM_INVALID_OPTION",
              details: expect.objectContaining({ className, field }),
            }),
          );
        },
      ),
      { seed: 37, numRuns: 60 },
    );
    // Animal's entry serves Dog: `barks` is a field of a class it serves.
    const values = { Animal: { barks: fc.constant("woof") } };
    const specs = fc.sample(worldSpecArbitrary(model, { values, instantiate: ["Dog"] }), {
      seed: 2,
      numRuns: 20,
    });
    const dogs = specs.flatMap((s) => s.instances);
    expect(dogs.length).toBeGreaterThan(0);
    for (const dog of dogs) expect(dog.fields.barks).toEqual({ value: "woof" });
  });

  test("an entry that is not an arbitrary, and an instantiate naming no class, are refused", async () => {
    expect(await refusal(() => check({ Person: { name: "legacy" } }))).toMatchObject({
      code: "MM_INVALID_OPTION",
      details: { className: "Person", field: "name" },
    });
    expect(await refusal(() => check({ Person: "legacy" }))).toMatchObject({
      code: "MM_INVALID_OPTION",
      details: { className: "Person" },
    });
    const options: CheckMigrationOptions = { classes: [Person], instantiate: ["Persn"] };
    expect(await refusal(() => checkMigration(withId, options))).toMatchObject({
      code: "MM_INVALID_OPTION",
      details: { option: "instantiate", className: "Persn", known: ["Person"] },
    });
  });
});
