/**
 * No silent loss: no update of the patch, under any policy, commits with a
 * warning that state is lost or that code reads what is not there (see
 * warningLog.ts), unless the author accepts its code (`acceptWarnings`).
 * The other properties compare the policies and runs with one another, and
 * a loss every policy makes alike passes them all.
 */
import type { Policy } from "../../patch/operations.js";
import type { PropertyKit } from "./kit.js";
import { attempt, fail, settle } from "./running.js";
import type { PropertyDefinition } from "./types.js";
import { CHECKED, PROPERTY_DESCRIPTIONS, vacuous } from "./types.js";
import { isSilentLoss } from "./warningLog.js";

const POLICIES: readonly Policy[] = ["eager", "lazy", "progressive"];

export function noSilentLoss(kit: PropertyKit): PropertyDefinition {
  const accepted = new Set<string>(kit.acceptWarnings ?? []);
  return {
    name: "no-silent-loss",
    description: PROPERTY_DESCRIPTIONS["no-silent-loss"],
    arbitrary: kit.plain,
    async check({ world }) {
      let committed = false;
      for (const policy of POLICIES) {
        const live = kit.build(world);
        const out = attempt(live.namespace, kit.patch, { policy });
        if (!out.ok) continue;
        committed = true;
        const lost = out.result.warnings.filter(
          (w) => isSilentLoss(w.code) && !accepted.has(w.code),
        );
        // Finished either way: a lazy update left pending would hold its guards.
        await settle(out.result).catch(() => undefined);
        if (lost.length > 0) {
          const codes = [...new Set(lost.map((w) => w.code))];
          fail(
            "no-silent-loss",
            `the ${policy} update committed with ${lost.length === 1 ? "a warning" : "warnings"} that state is lost or code reads what is not there:\n${lost.map((w) => `  ${w.code}: ${w.message}`).join("\n")}\nif that is meant, accept ${codes.length === 1 ? "it" : "them"}: acceptWarnings: ${JSON.stringify(codes)}`,
          );
        }
      }
      return committed ? CHECKED : vacuous("the update was refused");
    },
  };
}
