/**
 * A `construct` that throws on generated values is the test's failure, not
 * the property's: each property said "the property threw", as if the patch
 * had failed. It is now MM_CONSTRUCT_FAILED (ConstructFailedError), named
 * after the class and the instance, at the line of `construct`.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import {
  buildWorld,
  ConstructFailedError,
  checkMigration,
  worldModel,
} from "../../src/testing/index.js";

class Account {
  balance = 0;
  owner: string;
  constructor(owner: string) {
    if (typeof owner !== "string" || owner.length === 0) {
      throw new RangeError("owner must be a non-empty string");
    }
    this.owner = owner;
  }
}

const construct = {
  Account: (v: Record<string, unknown>, C: new (...args: unknown[]) => object) =>
    Object.assign(new C(v.owner), { balance: v.balance }),
};

describe("a construct that throws", () => {
  test("every property that ran reports construct, at its line, and none says the property threw", async () => {
    const ok = patch("ok").renameField("Account", "balance", "amount").build();
    const report = await checkMigration(ok, {
      classes: [Account],
      seed: 1,
      numRuns: 30,
      construct,
    });
    const ran = report.properties.filter((p) => p.status !== "skipped");
    expect(ran.length).toBeGreaterThan(3);
    for (const p of ran) {
      expect(p.status).toBe("failed");
      expect(p.failure!.message).toMatch(
        /^construct\.Account threw on the generated values of instance #\d+: RangeError: owner must be a non-empty string/,
      );
      expect(p.failure!.message).toContain("constructFailed.test.ts:");
      expect(p.failure!.message).not.toContain("the property threw");
    }
  });

  test("buildWorld throws MM_CONSTRUCT_FAILED with the class, the instance and the cause (seeded)", () => {
    const model = worldModel({ classes: [Account] });
    fc.assert(
      fc.property(fc.nat(3), (before) => {
        const good = { className: "Account", fields: { owner: { value: "ann" } } };
        const bad = { className: "Account", fields: { owner: { value: "" } } };
        const spec = { instances: [...Array.from({ length: before }, () => good), bad] };
        let thrown: unknown;
        try {
          buildWorld(model, spec, { construct });
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(ConstructFailedError);
        const error = thrown as ConstructFailedError;
        expect(error.code).toBe("MM_CONSTRUCT_FAILED");
        expect(error.details).toMatchObject({ className: "Account", index: before });
        expect(error.details.cause).toBeInstanceOf(RangeError);
      }),
      { seed: 2, numRuns: 8 },
    );
  });
});
