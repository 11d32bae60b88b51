/**
 * Test support, out of the public kit: arbitraries to fuzz metamorph
 * itself — random class hierarchies, and random patches (or sequences of
 * patches, each valid after the previous ones) against them. Feed a scenario to `checkMigration` with its `world` as the
 * classes to check that the engine keeps its promises on any patch.
 */
import fc from "fast-check";
import type { Patch } from "../../src/index.js";
import type { ClassDefinition, MethodDefinition } from "../../src/index.js";
import type { HierarchyOptions } from "../../src/testing/index.js";
import { hierarchyArb } from "../../src/testing/arbitraries/classDefinitions.js";
import type { ModelWorld } from "../../src/testing/index.js";
import { DEFAULT_MODEL_WORLD, patchSequenceArbitrary } from "../../src/testing/index.js";

/** The patch arbitraries' model of a list of class definitions. */
export function modelWorldOf(definitions: readonly ClassDefinition[]): ModelWorld {
  return {
    classes: definitions.map((d) => ({
      name: d.name,
      superclass: d.superclass,
      fields: d.fields,
      methods: d.methods,
    })),
  };
}

const DESCRIBE: MethodDefinition = {
  key: "describe",
  kind: "method",
  static: false,
  source: "describe() { return Object.keys(this).join(); }",
};

export interface EngineScenarioOptions extends HierarchyOptions {
  /** Patches per scenario, each valid after the previous ones (default 1). */
  readonly patches?: number;
  /** Most operations per patch (default 6). */
  readonly maxOperations?: number;
}

/** A world of classes and random patches against it. */
export interface EngineScenario {
  readonly world: ModelWorld;
  readonly patches: readonly Patch[];
}

/**
 * Random hierarchies (sometimes the patch arbitraries' default world, whose
 * classes have methods) with random patches. Random hierarchies get a
 * `describe` method on their roots, so lazy migration has methods to guard.
 */
export function engineScenarioArbitrary(
  options: EngineScenarioOptions = {},
): fc.Arbitrary<EngineScenario> {
  const worlds = fc.oneof(
    fc.constant(DEFAULT_MODEL_WORLD),
    hierarchyArb({
      minClasses: options.minClasses ?? 1,
      maxClasses: options.maxClasses ?? 4,
      maxFields: options.maxFields ?? 3,
    }).map((defs) =>
      modelWorldOf(defs.map((d) => (d.superclass === null ? { ...d, methods: [DESCRIBE] } : d))),
    ),
  );
  return worlds.chain((world) =>
    patchSequenceArbitrary(options.patches ?? 1, {
      world,
      maxOperations: options.maxOperations ?? 6,
    }).map(({ patches }) => ({ world, patches })),
  );
}
