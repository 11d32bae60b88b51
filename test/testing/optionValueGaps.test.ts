/**
 * Option values that made a check run nothing, run other worlds than
 * written, or throw fast-check's own Error, refused up front with
 * MM_INVALID_OPTION naming the option (review advZ25): `properties: []`
 * reported every property holding, `minInstances` above `maxInstances`
 * was silently clamped, a `path` without its `seed` ran random runs.
 */
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { checkMigration } from "../../src/testing/index.js";

const Acc = { name: "Acc", fields: [{ name: "balance", initializer: "0" }] };
const p = patch("p").renameField("Acc", "balance", "amount").build();

describe("option values refused up front", () => {
  test.each([
    [{ properties: [] }, "properties"],
    [{ minInstances: 4, maxInstances: 1 }, "minInstances"],
    [{ references: "no" }, "references"],
    [{ path: "1:2" }, "path"],
    [{ path: "zz", seed: 1 }, "path"],
    [{ world: [] }, "world"],
    [{ maxInstances: -1 }, "maxInstances"],
  ])("%j", async (options, option) => {
    const run = checkMigration(p, { classes: [Acc], numRuns: 5, ...(options as object) });
    await expect(run).rejects.toMatchObject({ code: "MM_INVALID_OPTION" });
    await expect(run).rejects.toThrow(option);
  });

  test("scope: 5 is refused", async () => {
    const run = checkMigration(p, { classes: [Acc], scope: 5 as never, numRuns: 5 });
    await expect(run).rejects.toMatchObject({ code: "MM_INVALID_OPTION" });
  });
});
