/**
 * Vitest integration (`metamorph/testing/vitest`): one test per migration
 * property, each failing with the formatted report — the property, why it
 * fails, the shrunk counterexample and the seed and path that replay it.
 *
 *     describeMigration(toV2, { classes: [PersonV1], seed: 42, numRuns: 200 });
 *
 * For fast-check's own Vitest runner, use `migrationProperties` with
 * `@fast-check/vitest`'s `test.prop([property.arbitrary])(property.name, property.predicate)`.
 */
import { describe, test } from "vitest";
import type { Patch } from "../patch/patch.js";
import type { CheckMigrationOptions } from "./check.js";
import {
  assertMigration,
  CHECK_OPTION_KEYS,
  checkCheckOptions,
  migrationProperties,
} from "./check.js";
import type { WorldSchema } from "./world/types.js";

export type DescribeMigrationOptions<
  S extends WorldSchema = Record<string, Record<string, unknown>>,
  N extends WorldSchema = Record<string, Record<string, unknown>>,
> = CheckMigrationOptions<S, N> & {
  /** Per-test timeout in ms (default: Vitest's). */
  readonly timeout?: number;
};

/**
 * Declares a `describe` block named after the patch with one test per
 * property; properties the options cannot support are declared skipped,
 * with the reason in their name.
 */
export function describeMigration<
  S extends WorldSchema = Record<string, Record<string, unknown>>,
  N extends WorldSchema = Record<string, Record<string, unknown>>,
>(patch: Patch, options: DescribeMigrationOptions<S, N>): void {
  checkCheckOptions(options, "describeMigration", [...CHECK_OPTION_KEYS, "timeout"]);
  const { timeout, ...checkOptions } = options;
  describe(`migration ${patch.name}`, () => {
    for (const property of migrationProperties<S, N>(
      patch,
      checkOptions as CheckMigrationOptions<S, N>,
    )) {
      if (property.skipped !== undefined) {
        test.skip(`${property.name} (skipped: ${property.skipped})`, () => {});
        continue;
      }
      test(
        property.name,
        async () => {
          await assertMigration(patch, {
            ...(checkOptions as CheckMigrationOptions<S, N>),
            properties: [property.name],
          });
        },
        timeout,
      );
    }
  });
}
