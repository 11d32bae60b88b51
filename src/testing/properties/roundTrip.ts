/** Round trip: the patch followed by its reverse gives back the old state. */
import { compareSnapshots, takeSnapshot } from "../snapshot.js";
import type { PropertyKit } from "./kit.js";
import { attempt, fail, settle } from "./running.js";
import type { PropertyDefinition } from "./types.js";
import { CHECKED, PROPERTY_DESCRIPTIONS, vacuous } from "./types.js";
import { describeError, refusalText } from "./wording.js";

export function roundTrip({ patch, reverse, build, plain }: PropertyKit): PropertyDefinition {
  return {
    name: "round-trip",
    description: PROPERTY_DESCRIPTIONS["round-trip"],
    ...(reverse ? {} : { skipped: "the patch declares no `reverse`" }),
    arbitrary: plain,
    async check({ world }) {
      if (!reverse) return vacuous("no reverse");
      const live = build(world);
      const ns = live.namespace;
      const before = takeSnapshot(ns, live.instances);
      const out = attempt(ns, patch);
      if (!out.ok) return vacuous(refusalText(out.error)); // totality's and validity's concern
      if ((await settle(out.result)).failed.length > 0) return vacuous("a migrator threw");
      const back = attempt(ns, reverse);
      if (!back.ok) {
        fail(
          "round-trip",
          `the reverse ${reverse.name} was refused after ${patch.name}: ${describeError(back.error)}`,
        );
      }
      const completion = await settle(back.result);
      if (completion.failed.length > 0) {
        fail(
          "round-trip",
          `the reverse's migration threw: ${describeError(completion.failed[0]!.error)}`,
        );
      }
      const difference = compareSnapshots(before, takeSnapshot(ns, live.instances), {
        labels: ["before", `after ${patch.name} and ${reverse.name}`],
      });
      if (difference !== undefined) {
        fail("round-trip", `the reverse does not give the old state back:\n${difference}`);
      }
      return CHECKED;
    },
  };
}
