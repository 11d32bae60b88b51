/**
 * A schema types the whole check, checked by `tsc --noEmit`: each
 * `@ts-expect-error` line must fail to compile (an unused one is an error
 * itself) and every other line must compile. `checkMigration<World>` types
 * `values` and the postcondition's `old` (`old.overdarwn` does not compile;
 * it passed vacuously as `undefined`), `checkMigration<World, WorldV2>`
 * the migrated instance too; without a schema, nothing is inferred from
 * `values` (which name some fields only) into `old`. `instanceArbitrary`
 * of a class types its `values` by the class: a misspelt field no longer
 * falls through to the class-spec overload.
 */
import fc from "fast-check";
import { expectTypeOf } from "vitest";
import { patch } from "../../src/index.js";
import {
  assertMigration,
  checkMigration,
  instanceArbitrary,
  migrationProperties,
} from "../../src/testing/index.js";
import { describeMigration } from "../../src/testing/vitest.js";

class Account {
  balance = 0;
  overdrawn = false;
}
type World = { Account: { balance: number; overdrawn: boolean } };
type WorldV2 = { Account: { amount: number; overdrawn: boolean } };
const v2 = patch<World>("v2").renameField("Account", "balance", "amount").build();

// The schema types `old`.
void checkMigration<World>(v2, {
  classes: [Account],
  postcondition: (old, now) => {
    expectTypeOf(old.balance).toEqualTypeOf<number>();
    expectTypeOf(now).toEqualTypeOf<Readonly<Record<string, unknown>>>();
    return old.overdrawn ? (now.amount as number) < 0 : true;
  },
});
void checkMigration<World>(v2, {
  classes: [Account],
  // @ts-expect-error — `overdarwn` is not a field of Account
  postcondition: (old, now) => (old.overdarwn ? (now.amount as number) < 0 : true),
});
void assertMigration<World>(v2, {
  classes: [Account],
  // @ts-expect-error — nor here
  postcondition: (old) => old.balnce === 0,
});
void migrationProperties<World>(v2, {
  classes: [Account],
  // @ts-expect-error — nor here
  postcondition: (old) => old.balnce === 0,
});
describeMigration<World>(v2, {
  classes: [Account],
  // @ts-expect-error — nor here
  postcondition: (old) => old.balnce === 0,
});

// A second schema types the migrated instance.
void checkMigration<World, WorldV2>(v2, {
  classes: [Account],
  postcondition: (old, now) => now.amount === old.balance,
});
void checkMigration<World, WorldV2>(v2, {
  classes: [Account],
  // @ts-expect-error — `amuont` is not a field of the migrated Account
  postcondition: (old, now) => now.amuont === old.balance,
});

// Without a schema, `old` is not narrowed to the fields `values` names.
void checkMigration(v2, {
  classes: [Account],
  values: { Account: { balance: fc.nat() } },
  postcondition: (old) => old.overdrawn === false || old.anything === undefined,
});
type Options = Parameters<typeof checkMigration>[1];
const options: Options = { classes: [Account], numRuns: 1 };
void checkMigration(v2, options);

// instanceArbitrary of a class: `values` typed by the class.
const accounts: fc.Arbitrary<Account> = instanceArbitrary(Account, {
  values: { Account: { balance: fc.nat() } },
});
// @ts-expect-error — `balnce` is not a field of Account
instanceArbitrary(Account, { values: { Account: { balnce: fc.nat() } } });
// @ts-expect-error — a balance is a number
instanceArbitrary(Account, { values: { Account: { balance: fc.string() } } });
// A class spec still takes untyped values.
const specs = instanceArbitrary(
  { name: "Account", fields: ["balance"] },
  { values: { Account: { balance: fc.nat() } } },
);
void accounts;
void specs;
