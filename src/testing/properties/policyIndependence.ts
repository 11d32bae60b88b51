/** Policy independence: eager, lazy and progressive migration reach the same state. */
import fc from "fast-check";
import type { Policy } from "../../patch/operations.js";
import type { StateSnapshot } from "../snapshot.js";
import { compareSnapshots, takeSnapshot } from "../snapshot.js";
import type { WorldSpec } from "../world/types.js";
import { withFixedClock } from "./fixedClock.js";
import { printable } from "./inputs.js";
import type { PropertyKit } from "./kit.js";
import { attempt, fail, settle } from "./running.js";
import type { PropertyDefinition } from "./types.js";
import { CHECKED, PROPERTY_DESCRIPTIONS, vacuous } from "./types.js";
import { refusalText } from "./wording.js";

interface Outcome {
  readonly policy: Policy;
  /** "committed", or how the update failed. */
  readonly text: string;
  readonly state?: StateSnapshot;
}

async function outcome(
  kit: PropertyKit,
  world: WorldSpec,
  policy: Policy,
  sliceSize: number,
): Promise<Outcome> {
  const live = kit.build(world);
  const out = attempt(live.namespace, kit.patch, { policy, sliceSize });
  if (!out.ok) return { policy, text: refusalText(out.error) };
  const completion = await settle(out.result, true);
  if (completion.failed.length > 0) return { policy, text: "a migrator threw" };
  return { policy, text: "committed", state: takeSnapshot(live.namespace, live.instances) };
}

/** How `other` differs from eager: a failure message, or undefined when they agree. */
function difference(eager: Outcome, other: Outcome): string | undefined {
  if (eager.text !== other.text) {
    return `eager: ${eager.text}; ${other.policy}: ${other.text}${other.text.startsWith("refused by ValidationError") ? " (validations saw different objects)" : ""}`;
  }
  if (eager.state && other.state) {
    const differs = compareSnapshots(eager.state, other.state, {
      labels: ["eager", other.policy],
    });
    if (differs !== undefined) return `eager and ${other.policy} migration disagree:\n${differs}`;
  }
  return undefined;
}

function firstDifference(outcomes: readonly Outcome[]): string | undefined {
  const [eager, ...others] = outcomes;
  for (const other of others) {
    const found = difference(eager!, other);
    if (found !== undefined) return found;
  }
  return undefined;
}

async function outcomes(kit: PropertyKit, world: WorldSpec, sliceSize: number): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const policy of ["eager", "lazy", "progressive"] as const) {
    out.push(await outcome(kit, world, policy, sliceSize));
  }
  return out;
}

export function policyIndependence(kit: PropertyKit): PropertyDefinition {
  return {
    name: "policy-independence",
    description: PROPERTY_DESCRIPTIONS["policy-independence"],
    arbitrary: fc
      .record({ world: kit.worlds, sliceSize: fc.integer({ min: 1, max: 3 }) })
      .map((input) => printable(input)),
    async check({ world, sliceSize }) {
      const run = () => outcomes(kit, world, sliceSize ?? 2);
      let reached = await run();
      // Values read from the clock differ between worlds built one after the
      // other: what still differs under one instant for all is a real difference.
      if (firstDifference(reached) !== undefined) reached = await withFixedClock(Date.now(), run);
      const found = firstDifference(reached);
      if (found !== undefined) fail("policy-independence", found);
      // Policies that fail alike agree, but no migrated state was compared.
      return reached.some((o) => o.state) ? CHECKED : vacuous(reached[0]!.text);
    },
  };
}
