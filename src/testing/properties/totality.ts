/** Totality: the patch's migrators, initialisers and defaults never throw on a valid old instance. */
import { MigrationError } from "../../errors.js";
import type { PropertyKit } from "./kit.js";
import { attempt, fail } from "./running.js";
import type { PropertyDefinition } from "./types.js";
import { CHECKED, PROPERTY_DESCRIPTIONS, vacuous } from "./types.js";
import { migrationText } from "./wording.js";

export function totality({ patch, build, plain }: PropertyKit): PropertyDefinition {
  return {
    name: "totality",
    description: PROPERTY_DESCRIPTIONS.totality,
    arbitrary: plain,
    async check({ world }) {
      const live = build(world);
      const out = attempt(live.namespace, patch, { policy: "eager" });
      if (!out.ok && out.error instanceof MigrationError) {
        fail("totality", `the migration threw: ${migrationText(out.error, live)}`);
      }
      return live.instances.length === 0 ? vacuous("the world has no instances") : CHECKED;
    },
  };
}
