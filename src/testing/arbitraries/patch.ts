/**
 * fast-check arbitraries for random patches that are valid against a model
 * of the classes they change, plus the model of the classes afterwards — so
 * an engine test can apply a random patch to real classes and compare.
 *
 * A patch is generated as a list of plain choices (numbers), which are then
 * interpreted step by step against the model world: each step picks one of
 * the operations that make sense *now* (a field to remove must exist, a new
 * field name must be free in the whole hierarchy, …). Generation never
 * fails, and shrinking a choice list shrinks the patch.
 *
 * Names come from small pools so that independent patches often touch the
 * same classes and fields, which is what composition tests need.
 */
import fc from "fast-check";
import type { PatchBuilder } from "../../patch/builder.js";
import { patch } from "../../patch/builder.js";
import type { Patch } from "../../patch/patch.js";
import { keysOf, refuseUnknownKeys } from "../optionKeys.js";
import { GENERATORS } from "./patch/generators.js";
import type {
  ModelWorld,
  PatchArbitraryOptions,
  PatchScenario,
  PatchSequenceScenario,
} from "./patch/model.js";
import { DEFAULT_MODEL_WORLD } from "./patch/model.js";
import type { State } from "./patch/state.js";
import { Picker } from "./patch/state.js";

export type {
  ModelClass,
  ModelWorld,
  PatchArbitraryOptions,
  PatchScenario,
  PatchSequenceScenario,
} from "./patch/model.js";
export { DEFAULT_MODEL_WORLD } from "./patch/model.js";

const PATCH_KEYS = keysOf<PatchArbitraryOptions>({
  world: true,
  minOperations: true,
  maxOperations: true,
  name: true,
});
// A sequence names its patches p1, p2, …: a `name` would be ignored.
const SEQUENCE_KEYS = PATCH_KEYS.filter((k) => k !== "name");

const stepArbitrary = fc.record({
  kind: fc.nat({ max: 10_000 }),
  picks: fc.array(fc.nat({ max: 10_000 }), { minLength: 8, maxLength: 8 }),
});

type Step = { readonly kind: number; readonly picks: readonly number[] };

function interpret(state: State, name: string, steps: readonly Step[]): Patch {
  let builder: PatchBuilder = patch(name);
  for (const step of steps) {
    const applicable = GENERATORS.filter((g) => g.applicable(state));
    const generator = applicable[step.kind % applicable.length]!;
    builder = generator.apply(builder, state, new Picker(step.picks));
  }
  return builder.build();
}

const snapshot = (s: State): ModelWorld => ({ classes: s.classes.map((c) => ({ ...c })) });

const freshState = (world: ModelWorld): State => ({
  classes: [...world.classes],
  validations: new Set(),
  pinned: new Set(),
});

/** A random patch valid against `options.world`, with the world it should produce. */
export function patchScenarioArbitrary(
  options: PatchArbitraryOptions = {},
): fc.Arbitrary<PatchScenario> {
  refuseUnknownKeys(options, PATCH_KEYS, "patchScenarioArbitrary");
  const world = options.world ?? DEFAULT_MODEL_WORLD;
  const steps = fc.array(stepArbitrary, {
    minLength: options.minOperations ?? 0,
    maxLength: options.maxOperations ?? 8,
  });
  return steps.map((chosen) => {
    const state = freshState(world);
    const built = interpret(state, options.name ?? "random", chosen);
    return { before: world, patch: built, after: snapshot(state) };
  });
}

/** A random patch valid against `options.world` (default DEFAULT_MODEL_WORLD). */
export function patchArbitrary(options: PatchArbitraryOptions = {}): fc.Arbitrary<Patch> {
  refuseUnknownKeys(options, PATCH_KEYS, "patchArbitrary");
  return patchScenarioArbitrary(options).map((s) => s.patch);
}

/**
 * `count` patches, each valid against the world the previous ones leave
 * (so `Patch.compose(patches)` succeeds unless the patches disagree on
 * policy or a later migrator reads fields an earlier patch changed).
 */
export function patchSequenceArbitrary(
  count: number,
  options: Omit<PatchArbitraryOptions, "name"> = {},
): fc.Arbitrary<PatchSequenceScenario> {
  refuseUnknownKeys(options, SEQUENCE_KEYS, "patchSequenceArbitrary");
  const world = options.world ?? DEFAULT_MODEL_WORLD;
  const steps = fc.array(stepArbitrary, {
    minLength: options.minOperations ?? 0,
    maxLength: options.maxOperations ?? 8,
  });
  return fc.array(steps, { minLength: count, maxLength: count }).map((perPatch) => {
    const state = freshState(world);
    // Validation names and pinned classes carry over: the patches must compose into one valid patch.
    const patches = perPatch.map((chosen, i) => interpret(state, `p${i + 1}`, chosen));
    return { before: world, patches, after: snapshot(state) };
  });
}
