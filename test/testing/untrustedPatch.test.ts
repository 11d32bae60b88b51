// checkMigration (and assertMigration, migrationProperties) of a patch read
// from JSON that nobody vouched for — as the patch, its reverse or one to
// compose with — is refused with MM_UNTRUSTED_PATCH before any of its code is
// compiled, as docs/refusals.md §2 says. Before, a patch carrying a function
// was refused with MM_NOT_HYDRATED, whose message told the user to call
// patch.hydrate(scope) (itself refused for an untrusted patch); one carrying
// only text code, or none, went on to the properties, which each failed on
// the engine's refusal.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Patch, patch, UntrustedPatchError } from "../../src/index.js";
import { PATCH_FORMAT } from "../../src/patch/json.js";
import { assertMigration, checkMigration, migrationProperties } from "../../src/testing/index.js";

type Flagged = typeof globalThis & { [key: string]: unknown };
const g = globalThis as Flagged;
let counter = 0;
const freshFlag = () => `__metamorphCheckProbe${process.pid}_${counter++}`;

const Item = { name: "Item", fields: [{ name: "price", initializer: "1" }] };

/** Operations an untrusted patch may carry: code as functions, as text, and none. */
function operations(flag: string): Record<string, unknown>[] {
  const set = `(globalThis[${JSON.stringify(flag)}] = true)`;
  return [
    { op: "migrator", className: "Item", migrator: { source: `function (o, t) { ${set}; }` } },
    {
      op: "validateNamespace",
      name: "v",
      check: { source: `function () { ${set}; return true; }` },
    },
    { op: "addField", className: "Item", field: "tax", defaultSource: set },
    {
      op: "addMethod",
      className: "Item",
      method: { key: "m", kind: "method", static: false, source: `m() { ${set}; }` },
    },
    { op: "renameField", className: "Item", field: "price", to: "cost" },
  ];
}

const untrustedOf = (operation: Record<string, unknown>) =>
  Patch.fromJSON({ format: PATCH_FORMAT, name: "evil", operations: [operation] });

const CHECKS = {
  checkMigration: (options: Parameters<typeof checkMigration>[1], p: Patch) =>
    checkMigration(p, options),
  assertMigration: (options: Parameters<typeof checkMigration>[1], p: Patch) =>
    assertMigration(p, options),
  migrationProperties: async (options: Parameters<typeof checkMigration>[1], p: Patch) =>
    migrationProperties(p, options),
};

async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("checking an untrusted patch is refused as untrusted, nothing of it run", () => {
  test("property: any operation x the patch, its reverse or a patch to compose with x each entry point", async () => {
    const mine = patch("mine").addField("Item", "note", { default: "" }).build();
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: operations("x").length - 1 }),
        fc.constantFrom("patch", "reverse", "composeWith"),
        fc.constantFrom(...(Object.keys(CHECKS) as (keyof typeof CHECKS)[])),
        async (which, role, check) => {
          const flag = freshFlag();
          const untrusted = untrustedOf(operations(flag)[which]!);
          const options = {
            classes: [Item],
            numRuns: 3,
            seed: 1,
            ...(role === "reverse" ? { reverse: untrusted } : {}),
            ...(role === "composeWith" ? { composeWith: [untrusted] } : {}),
          };
          const error = await rejection(() =>
            CHECKS[check](options, role === "patch" ? untrusted : mine),
          );
          expect(error).toBeInstanceOf(UntrustedPatchError);
          expect((error as UntrustedPatchError).code).toBe("MM_UNTRUSTED_PATCH");
          expect((error as UntrustedPatchError).details).toMatchObject({
            patch: "evil",
            action: "be checked",
          });
          expect(String(error)).not.toMatch(/call patch\.hydrate/);
          expect(Object.hasOwn(g, flag)).toBe(false);
        },
      ),
      { seed: 47, numRuns: 45 },
    );
  });

  test("the reviewers' repro: the message says untrusted and how to vouch, not hydrate", async () => {
    const flag = freshFlag();
    const error = await rejection(() =>
      checkMigration(untrustedOf(operations(flag)[0]!), { classes: [Item], numRuns: 3 }),
    );
    expect(String(error)).toMatch(
      /patch "evil" was read from JSON and is not trusted, so it cannot be checked: operations\[0\] .* carries a migrator\. Verify its signature, or vouch for it/,
    );
    expect(Object.hasOwn(g, flag)).toBe(false);
  });

  test("vouched for, the same JSON is checked (after hydrate)", async () => {
    const json = {
      format: PATCH_FORMAT,
      name: "fine",
      operations: [{ op: "addField", className: "Item", field: "tax", defaultSource: "2" }],
    };
    const report = await checkMigration(Patch.fromJSON(json, { trust: "in-process" }).hydrate(), {
      classes: [Item],
      numRuns: 5,
      seed: 3,
      properties: ["totality"],
    });
    expect(report.ok).toBe(true);
  });
});
