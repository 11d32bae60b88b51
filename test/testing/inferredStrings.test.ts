/**
 * Inferred strings are Unicode (graphemes, beyond Latin-1) and up to 40
 * long: with at most 8 printable-ASCII characters, a migrator calling
 * `btoa` (which throws beyond Latin-1) or one that throws past 12
 * characters passed every seed.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { checkMigration, inferredValues } from "../../src/testing/index.js";

class Customer {
  name = "";
}

const base64 = patch("base64")
  .addField("Customer", "b64", { default: "" })
  .migrate("Customer", (old, c) => {
    c.b64 = btoa(old.name as string);
  })
  .build();
const short = patch("short")
  .addField("Customer", "short", { default: "" })
  .migrate("Customer", (old, c) => {
    if ((old.name as string).length > 12) throw new Error("too long");
    c.short = old.name;
  })
  .build();

describe("inferred strings", () => {
  test("reach beyond Latin-1 and past 12 characters", () => {
    const strings = fc.sample(inferredValues("")!, { seed: 1, numRuns: 300 }) as string[];
    expect(strings.some((s) => [...s].some((ch) => ch.codePointAt(0)! > 0xff))).toBe(true);
    expect(strings.some((s) => s.length > 12)).toBe(true);
    expect(strings.every((s) => typeof s === "string" && [...s].length <= 40)).toBe(true);
  });

  test("property: a btoa migrator and one that throws past 12 characters fail totality, whatever the seed (seeded)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.constantFrom(base64, short), async (seed, p) => {
        const report = await checkMigration(p, {
          classes: [Customer],
          seed,
          properties: ["totality"],
        });
        expect(report.properties[0]!.status).toBe("failed");
      }),
      { seed: 12, numRuns: 10 },
    );
  });
});
