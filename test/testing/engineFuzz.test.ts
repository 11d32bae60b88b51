/**
 * Acceptance 4: metamorph's own engine, fuzzed through the kit. Random
 * hierarchies (and the patch arbitraries' default world, whose classes have
 * methods) get random patches; each patch is checked with `checkMigration`
 * for every property the engine is responsible for, whatever the patch
 * does: totality (the generated migrators are total), rollback, policy
 * independence, composition with a random follow-up patch, and no-op.
 *
 * Engine bugs this fuzzing found are listed in KNOWN_ENGINE_BUGS: a scenario
 * a bug applies to does not check the property that bug breaks, so that the
 * fuzz keeps hunting for new ones. Each bug has a reproduction in
 * engineFindings.test.ts; when it is fixed, drop its entry here.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Operation } from "../../src/patch/operations.js";
import type { Patch } from "../../src/patch/patch.js";
import type { PropertyName } from "../../src/testing/index.js";
import { checkMigration, formatMigrationReport } from "../../src/testing/index.js";
import { engineScenarioArbitrary } from "../support/engineFuzz.js";

const ops = (p: Patch, ...kinds: readonly Operation["op"][]) =>
  p.operations.filter((o) => kinds.includes(o.op));

/** Operations that change which fields objects have, or their values. */
const FIELD_OPERATIONS: readonly Operation["op"][] = [
  "addClass",
  "removeClass",
  "renameClass",
  "addField",
  "removeField",
  "renameField",
  "reorderFields",
  "pullUpField",
  "pushDownField",
  "changeSuperclass",
  "insertSuperclass",
  "splitClass",
  "migrator",
];

interface KnownBug {
  readonly id: string;
  readonly property: PropertyName;
  readonly applies: (a: Patch, b: Patch) => boolean;
}

/** See engineFindings.test.ts for what each one is, with a reproduction. */
const KNOWN_ENGINE_BUGS: readonly KnownBug[] = [
  {
    // When both patches change fields, the combined update can still differ
    // from the two updates one after the other in cases the symbolic check
    // lets through (e.g. a class renamed onto a name that another step
    // reuses): composition is not checked for these scenarios. D, H and J
    // are fixed (refused by andThen, or equal).
    id: "composition",
    property: "composition",
    applies: (a, b) =>
      ops(a, ...FIELD_OPERATIONS).length > 0 && ops(b, ...FIELD_OPERATIONS).length > 0,
  },
];

const ENGINE_PROPERTIES: readonly PropertyName[] = [
  "totality",
  "rollback",
  "policy-independence",
  "composition",
  "no-op",
];

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const SEED = Number(process.env.FUZZ_SEED ?? 2026);

describe("fuzzing the engine through the kit", () => {
  test("property: random hierarchies with random patches keep totality, rollback, policy independence, composition and no-op", async () => {
    const counts = { scenarios: 0, checked: 0, composed: 0, excluded: 0 };
    await fc.assert(
      fc.asyncProperty(
        engineScenarioArbitrary({ patches: 2, maxOperations: 5 }),
        async ({ world, patches }) => {
          const [a, b] = patches as [Patch, Patch];
          let composable = true;
          try {
            a.andThen(b);
          } catch {
            composable = false;
          }
          const skipped = new Set(
            KNOWN_ENGINE_BUGS.filter((k) => k.applies(a, b)).map((k) => k.property),
          );
          const properties = ENGINE_PROPERTIES.filter(
            (p) => !skipped.has(p) && (p !== "composition" || composable),
          );
          counts.scenarios++;
          counts.checked += properties.length;
          counts.excluded += skipped.size;
          if (properties.includes("composition")) counts.composed++;
          const report = await checkMigration(a, {
            classes: world.classes,
            composeWith: b,
            properties,
            maxInstances: 4,
            numRuns: 6,
            seed: 1,
          });
          if (!report.ok) {
            throw new Error(
              `${formatMigrationReport(report)}\n--- patch:\n${a.summary()}\n--- then:\n${b.summary()}`,
            );
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    // The fuzz really exercised the engine: most properties ran on most scenarios.
    expect(counts.scenarios).toBe(RUNS);
    expect(counts.checked).toBeGreaterThan(RUNS * 3);
    expect(counts.composed).toBeGreaterThan(RUNS / 5);
  });
});
