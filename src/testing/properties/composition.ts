/**
 * Composition: whenever applying the patch and then `next` succeeds,
 * applying `patch.andThen(next)` succeeds with the same result.
 */
import type { Patch } from "../../patch/patch.js";
import { compareSnapshots, takeSnapshot } from "../snapshot.js";
import type { LiveWorld, WorldSpec } from "../world/types.js";
import type { PropertyKit } from "./kit.js";
import { attempt, fail, settle } from "./running.js";
import type { PropertyDefinition } from "./types.js";
import { CHECKED, PROPERTY_DESCRIPTIONS, vacuous } from "./types.js";
import { describeError, refusalText } from "./wording.js";

/**
 * Applies `patches` one after the other on `live`: "committed", or how it
 * failed (naming the refused patch when there are several).
 */
async function applyInTurn(live: LiveWorld, patches: readonly Patch[]): Promise<string> {
  let text = "committed";
  for (const p of patches) {
    const out = attempt(live.namespace, p);
    if (!out.ok) {
      return patches.length > 1 ? `${p.name} ${refusalText(out.error)}` : refusalText(out.error);
    }
    if ((await settle(out.result)).failed.length > 0) text = "a migrator threw";
  }
  return text;
}

/** Whether the two paths were compared (they are not when one after the other fails). */
async function compareOne(
  kit: PropertyKit,
  world: WorldSpec,
  next: Patch,
  whole: Patch,
): Promise<boolean> {
  const one = kit.build(world);
  const oneText = await applyInTurn(one, [kit.patch, next]);
  const both = kit.build(world);
  const bothText = await applyInTurn(both, [whole]);
  // One after the other may be refused where the composition is not (an
  // intermediate state that fails a validation); the converse is a failure.
  if (oneText !== "committed") return false;
  if (bothText !== "committed") {
    fail("composition", `one after the other: ${oneText}; composed (${whole.name}): ${bothText}`);
  }
  const difference = compareSnapshots(
    takeSnapshot(one.namespace, one.instances),
    takeSnapshot(both.namespace, both.instances),
    { labels: ["one after the other", "composed"] },
  );
  if (difference !== undefined) {
    fail(
      "composition",
      `${kit.patch.name} then ${next.name} differs from ${whole.name}:\n${difference}`,
    );
  }
  return true;
}

export function composition(kit: PropertyKit): PropertyDefinition {
  const { patch, composeWith } = kit;
  const composed: Patch[] = [];
  let refused: string | undefined;
  for (const next of composeWith) {
    try {
      composed.push(patch.andThen(next));
    } catch (error) {
      refused ??= `${patch.name}.andThen(${next.name}) is refused: ${describeError(error)}`;
    }
  }
  return {
    name: "composition",
    description: PROPERTY_DESCRIPTIONS.composition,
    ...(composeWith.length === 0 ? { skipped: "no `composeWith` patch to compose with" } : {}),
    ...(refused === undefined ? {} : { refused }),
    arbitrary: kit.plain,
    async check({ world }) {
      if (refused !== undefined) fail("composition", refused);
      let compared = false;
      for (const [i, next] of composeWith.entries()) {
        if (await compareOne(kit, world, next, composed[i]!)) compared = true;
      }
      return compared ? CHECKED : vacuous("applying the patches one after the other failed");
    },
  };
}
