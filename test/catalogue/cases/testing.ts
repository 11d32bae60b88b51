// The testing kit (metamorph/testing) used wrongly or on a broken patch.
import { InvalidOptionError, InvalidPatchError, patch } from "../../../src/index.js";
import { assertMigration, checkMigration, WorldSourceError } from "../../../src/testing/index.js";
// Not exported from metamorph/testing: programs match on its code.
import { MigrationCheckError } from "../../../src/testing/index.js";
import { type AnyCase, kase } from "../support.js";
import { type ShopWorld, shopWorld } from "../worlds.js";

const Account = {
  name: "Account",
  fields: [
    { name: "balance", initializer: "0" },
    { name: "months", initializer: "1" },
  ],
};

export const testingCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "checkMigration over a native class",
    setup: shopWorld,
    act: () => checkMigration(patch("p").addField("Map", "x").build(), { classes: [Map] }),
    refuse: {
      error: WorldSourceError,
      code: "MM_WORLD_SOURCE",
      names: ["Map", "not a class written in JavaScript"],
    },
  }),
  kase<ShopWorld>({
    name: "assertMigration of a patch whose migrator divides by a zero it does not expect",
    setup: shopWorld,
    act: () =>
      assertMigration(
        patch("per-month")
          .addField("Account", "perMonth")
          .migrate("Account", (old, t) => {
            if (old.months === 0) throw new RangeError("months is 0");
            t.perMonth = (old.balance as number) / (old.months as number);
          })
          .build(),
        { classes: [Account], numRuns: 30, seed: 2026, properties: ["totality"] },
      ),
    refuse: {
      error: MigrationCheckError,
      code: "MM_MIGRATION_CHECK",
      names: ["per-month", "months is 0"],
    },
  }),
  kase<ShopWorld>({
    name: "checkMigration given something that is not a patch",
    setup: shopWorld,
    act: () => checkMigration({} as never, { classes: [Account] }),
    refuse: {
      error: InvalidPatchError,
      code: "MM_INVALID_PATCH",
      names: ["checkMigration", "Patch"],
    },
  }),
  kase<ShopWorld>({
    name: "checkMigration asked for a property that does not exist",
    setup: shopWorld,
    act: () =>
      checkMigration(patch("p").addField("Account", "x").build(), {
        classes: [Account],
        properties: ["telepathy" as never],
      }),
    refuse: {
      error: InvalidOptionError,
      code: "MM_INVALID_OPTION",
      names: ["checkMigration", "telepathy"],
    },
  }),
];
