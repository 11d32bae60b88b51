/**
 * Every options object the testing kit's public functions take refuses a
 * key it does not know (MM_INVALID_OPTION, naming the key, the keys it
 * takes and the one likely meant). Options built in a variable escape
 * TypeScript's excess-property check, and a misspelt key was ignored:
 * `checkMigration(p, { postcondtion })` reported ok with the postcondition
 * "skipped" — a check weaker than written that said it passed.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidOptionError } from "../../src/errors.js";
import { Namespace, patch } from "../../src/index.js";
import type {
  HierarchyOptions,
  ObjectGraphOptions,
  PatchArbitraryOptions,
  SnapshotComparison,
  SnapshotOptions,
} from "../../src/testing/index.js";
import {
  assertMigration,
  buildWorld,
  checkMigration,
  compareSnapshots,
  hierarchyArbitrary,
  instanceArbitrary,
  invalidHierarchyArbitrary,
  migrationProperties,
  objectGraphArbitrary,
  objectGraphSpecArbitrary,
  patchArbitrary,
  patchScenarioArbitrary,
  patchSequenceArbitrary,
  takeSnapshot,
  worldArbitrary,
  worldModel,
  worldSpecArbitrary,
} from "../../src/testing/index.js";
import { describeMigration } from "../../src/testing/vitest.js";

const Person = { name: "Person", fields: [{ name: "name", initializer: '""' }] };
const v2 = patch("v2").addField("Person", "age", { default: 0 }).build();
const source = { classes: [Person] };
const model = worldModel(source);
const ns = new Namespace("snapshots");
const snapshot = takeSnapshot(ns, []);

const INSTANCE = [
  "values",
  "construct",
  "minInstances",
  "maxInstances",
  "references",
  "instantiate",
];
const SOURCE = ["classes", "scope", "namespace"];
const CHECK = [
  ...SOURCE,
  ...INSTANCE,
  ...["world", "properties", "reverse", "composeWith", "postcondition", "workload"],
  ...["numRuns", "seed", "path", "minChecked", "vacuity", "acceptWarnings"],
];
const WORKLOAD = ["commands", "setup", "invariant", "maxCommands", "policies"];
const HIERARCHY = ["minClasses", "maxClasses", "maxFields"];
const GRAPH = ["minNodes", "maxNodes", "maxFields", "kinds", "symbols", "accessors"];
const PATCH = ["world", "minOperations", "maxOperations", "name"];

type Extra = Readonly<Record<string, unknown>>;
const workload = { commands: [], setup: () => ({ model: {}, real: {} }) };

/** Each public function, called with one extra key `extra` in the options it is about; and the keys it knows. */
const CALLS: readonly {
  readonly call: string;
  readonly known: readonly string[];
  readonly run: (extra: Extra) => unknown;
}[] = [
  { call: "checkMigration", known: CHECK, run: (x) => checkMigration(v2, { ...source, ...x }) },
  { call: "assertMigration", known: CHECK, run: (x) => assertMigration(v2, { ...source, ...x }) },
  {
    call: "migrationProperties",
    known: CHECK,
    run: (x) => migrationProperties(v2, { ...source, ...x }),
  },
  {
    call: "describeMigration",
    known: [...CHECK, "timeout"],
    run: (x) => describeMigration(v2, { ...source, ...x }),
  },
  {
    call: "checkMigration workload",
    known: WORKLOAD,
    run: (x) => checkMigration(v2, { ...source, workload: { ...workload, ...x } }),
  },
  { call: "worldArbitrary", known: SOURCE, run: (x) => worldArbitrary({ ...source, ...x }) },
  { call: "worldArbitrary", known: INSTANCE, run: (x) => worldArbitrary(source, x) },
  { call: "worldModel", known: SOURCE, run: (x) => worldModel({ ...source, ...x }) },
  { call: "worldSpecArbitrary", known: INSTANCE, run: (x) => worldSpecArbitrary(model, x) },
  {
    call: "buildWorld",
    known: ["construct", "namespace"],
    run: (x) => buildWorld(model, { instances: [] }, x),
  },
  {
    call: "instanceArbitrary",
    known: ["values", "construct", "references", "classes"],
    run: (x) => instanceArbitrary(Person, x),
  },
  {
    call: "instanceArbitrary",
    known: ["values", "construct", "references"],
    run: (x) => instanceArbitrary(class Plain {}, x),
  },
  { call: "hierarchyArbitrary", known: HIERARCHY, run: (x) => hierarchyArbitrary(x) },
  {
    call: "invalidHierarchyArbitrary",
    known: [...HIERARCHY, "kinds"],
    run: (x) => invalidHierarchyArbitrary(x),
  },
  { call: "objectGraphArbitrary", known: GRAPH, run: (x) => objectGraphArbitrary(x) },
  { call: "objectGraphSpecArbitrary", known: GRAPH, run: (x) => objectGraphSpecArbitrary(x) },
  { call: "patchArbitrary", known: PATCH, run: (x) => patchArbitrary(x) },
  { call: "patchScenarioArbitrary", known: PATCH, run: (x) => patchScenarioArbitrary(x) },
  {
    call: "patchSequenceArbitrary",
    known: PATCH.filter((k) => k !== "name"),
    run: (x) => patchSequenceArbitrary(1, x),
  },
  {
    call: "takeSnapshot",
    known: ["versions", "fastMode", "labels", "shallow", "classNames"],
    run: (x) => takeSnapshot(ns, [], x),
  },
  {
    call: "compareSnapshots",
    known: ["identities", "bindings", "labels"],
    run: (x) => compareSnapshots(snapshot, snapshot, x),
  },
];

/** The refusal `run` makes, synchronously or as a rejected promise. */
async function refusal(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A known key with one letter dropped, doubled or swapped with the next: how keys are misspelt. */
function misspelt(key: string, at: number, how: number): string {
  const i = at % key.length;
  if (how === 0) return key.slice(0, i) + key.slice(i + 1);
  if (how === 1) return key.slice(0, i) + key[i] + key.slice(i);
  const j = Math.min(i + 1, key.length - 1);
  return key.slice(0, i) + key[j] + key[i] + key.slice(j + 1);
}

describe("the testing kit's options refuse keys they do not know", () => {
  test("checkMigration with a misspelt postcondition is refused, not passed with the property skipped", async () => {
    const options = {
      ...source,
      numRuns: 3,
      postcondtion: () => "always fails",
    };
    const error = await refusal(() => checkMigration(v2, options));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({
      code: "MM_INVALID_OPTION",
      details: { call: "checkMigration", option: "postcondtion", meant: "postcondition" },
    });
    expect((error as Error).message).toContain('unknown option "postcondtion"');
    expect((error as Error).message).toContain("did you mean postcondition?");
  });

  test("any key a function does not take is refused, naming it and the keys it takes (seeded)", async () => {
    for (const { call, known, run } of CALLS) {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !known.includes(k)),
          fc.oneof(
            fc.constant(1),
            fc.constant(true),
            fc.constant("x"),
            fc.constant(() => {}),
          ),
          async (key, value) => {
            const error = await refusal(() => run({ [key]: value }));
            expect(error, `${call} { ${JSON.stringify(key)} }`).toBeInstanceOf(InvalidOptionError);
            expect((error as InvalidOptionError).details).toMatchObject({ call, option: key });
            expect((error as InvalidOptionError).details.known).toEqual(known);
          },
        ),
        { seed: 17, numRuns: 40 },
      );
    }
  });

  test("a misspelt key is refused with a known key it likely meant (seeded)", async () => {
    for (const { call, known, run } of CALLS) {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...known),
          fc.nat(),
          fc.nat({ max: 2 }),
          async (key, at, how) => {
            const wrong = misspelt(key, at, how);
            fc.pre(!known.includes(wrong));
            const error = await refusal(() => run({ [wrong]: 1 }));
            expect(error, `${call} { ${wrong} }`).toBeInstanceOf(InvalidOptionError);
            const { meant } = (error as InvalidOptionError).details;
            expect(known).toContain(meant);
            expect((error as Error).message).toContain(`did you mean ${String(meant)}?`);
          },
        ),
        { seed: 23, numRuns: 30 },
      );
    }
  });

  test("every key a function takes is accepted (the literals must name every key of the types)", async () => {
    const hierarchy: Required<HierarchyOptions> = { minClasses: 1, maxClasses: 2, maxFields: 1 };
    const graph: Required<ObjectGraphOptions> = {
      minNodes: 1,
      maxNodes: 2,
      maxFields: 1,
      kinds: ["plain"],
      symbols: false,
      accessors: false,
    };
    const patchOptions: Required<PatchArbitraryOptions> = {
      world: { classes: [] },
      minOperations: 0,
      maxOperations: 1,
      name: "p",
    };
    const snapshotOptions: Required<SnapshotOptions> = {
      versions: true,
      fastMode: false,
      labels: new Map(),
      shallow: false,
      classNames: true,
    };
    const comparison: Required<SnapshotComparison> = {
      identities: true,
      bindings: true,
      labels: ["a", "b"],
    };
    const sample = <T>(arb: fc.Arbitrary<T>) => fc.sample(arb, { seed: 1, numRuns: 1 });
    expect(sample(hierarchyArbitrary(hierarchy))).toHaveLength(1);
    expect(sample(invalidHierarchyArbitrary({ ...hierarchy, kinds: ["cycle"] }))).toHaveLength(1);
    expect(sample(objectGraphArbitrary(graph))).toHaveLength(1);
    expect(sample(patchArbitrary(patchOptions))).toHaveLength(1);
    expect(takeSnapshot(ns, [], snapshotOptions).objects).toEqual([]);
    expect(compareSnapshots(snapshot, snapshot, comparison)).toBeUndefined();
    const report = await checkMigration(v2, {
      ...source,
      scope: {},
      values: { Person: { name: fc.constant("a") } },
      construct: { Person: (values, Class) => Object.assign(new Class(), values) },
      minInstances: 1,
      maxInstances: 2,
      references: false,
      instantiate: ["Person"],
      properties: ["totality"],
      workload: { ...workload, invariant: () => true, maxCommands: 1, policies: ["eager"] },
      numRuns: 2,
      seed: 1,
      minChecked: 1,
      vacuity: "fail",
    });
    expect(report.ok).toBe(true);
  });

  test("options that are not an object are refused, naming what they are", () => {
    expect(() => patchArbitrary(5 as never)).toThrow(
      expect.objectContaining({
        code: "MM_INVALID_OPTION",
        details: { call: "patchArbitrary", type: "number" },
      }),
    );
    expect(() => migrationProperties(v2, undefined as never)).toThrow(InvalidOptionError);
  });

  test("a world source with a namespace factory and classes, and a world with population options, are refused", async () => {
    const both = { ...source, namespace: () => new Namespace("w") };
    await expect(checkMigration(v2, both)).rejects.toMatchObject({
      code: "MM_INVALID_OPTION",
      details: { option: "classes" },
    });
    const world = fc.constant({ instances: [] });
    await expect(checkMigration(v2, { ...source, world, maxInstances: 50 })).rejects.toMatchObject({
      code: "MM_INVALID_OPTION",
      details: { option: "maxInstances" },
    });
  });
});
