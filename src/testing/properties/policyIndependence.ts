/** Policy independence: eager, lazy and progressive migration reach the same state. */
import fc from "fast-check";
import type { Policy } from "../../patch/operations.js";
import type { StateSnapshot } from "../snapshot.js";
import { compareSnapshots, takeSnapshot } from "../snapshot.js";
import type { WorldSpec } from "../world/types.js";
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

function compare(eager: Outcome, other: Outcome): void {
  if (eager.text !== other.text) {
    fail(
      "policy-independence",
      `eager: ${eager.text}; ${other.policy}: ${other.text}${other.text.startsWith("refused by ValidationError") ? " (validations saw different objects)" : ""}`,
    );
  }
  if (eager.state && other.state) {
    const difference = compareSnapshots(eager.state, other.state, {
      labels: ["eager", other.policy],
    });
    if (difference !== undefined) {
      fail("policy-independence", `eager and ${other.policy} migration disagree:\n${difference}`);
    }
  }
}

export function policyIndependence(kit: PropertyKit): PropertyDefinition {
  return {
    name: "policy-independence",
    description: PROPERTY_DESCRIPTIONS["policy-independence"],
    arbitrary: fc
      .record({ world: kit.worlds, sliceSize: fc.integer({ min: 1, max: 3 }) })
      .map((input) => printable(input)),
    async check({ world, sliceSize }) {
      const outcomes: Outcome[] = [];
      for (const policy of ["eager", "lazy", "progressive"] as const) {
        outcomes.push(await outcome(kit, world, policy, sliceSize ?? 2));
      }
      const [eager, ...others] = outcomes;
      for (const other of others) compare(eager!, other);
      // Policies that fail alike agree, but no migrated state was compared.
      return outcomes.some((o) => o.state) ? CHECKED : vacuous(eager!.text);
    },
  };
}
