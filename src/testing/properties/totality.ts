/** Totality: the patch's migrators, initialisers and defaults never throw on a valid old instance. */
import { MigrationError } from "../../errors.js";
import type { PropertyKit } from "./kit.js";
import { attempt, fail } from "./running.js";
import type { MigrationProperty } from "./types.js";
import { PROPERTY_DESCRIPTIONS } from "./types.js";
import { migrationText } from "./wording.js";

export function totality({ patch, build, plain }: PropertyKit): MigrationProperty {
  return {
    name: "totality",
    description: PROPERTY_DESCRIPTIONS.totality,
    arbitrary: plain,
    async predicate({ world }) {
      const live = build(world);
      const out = attempt(live.namespace, patch, { policy: "eager" });
      if (!out.ok && out.error instanceof MigrationError) {
        fail("totality", `the migration threw: ${migrationText(out.error, live)}`);
      }
    },
  };
}
