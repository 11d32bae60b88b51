/**
 * `metamorph pack --expires <duration>`: the expiry signed into the bundle
 * is the packing time plus the duration, printed by pack and inspect; a
 * duration without its unit, or of zero, is a usage error (MM_USAGE, exit
 * 2) and nothing is written. In-process (main()).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { expiryOf } from "../../src/cli/commands/pack.js";
import { main } from "../../src/cli/main.js";
import { writeKeyFiles } from "../../src/release/keyFiles.js";
import { privateDir } from "../release/support.js";
import { FIXTURES } from "./releaseSupport.js";

let dir: string;
let remove: () => Promise<void>;
let key: string;

beforeAll(async () => {
  ({ dir, remove } = await privateDir());
  key = (await writeKeyFiles(join(dir, "keys"))).privateKeyPath;
});
afterAll(() => remove?.());

async function metamorph(args: readonly string[]) {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => {
    stdout += String(c);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => {
    stderr += String(c);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const pack = (out: string, ...extra: string[]) =>
  metamorph([
    "pack",
    join(FIXTURES, "refork-v2.patch.mjs"),
    "--key",
    key,
    "--from",
    "1.0.0",
    "--to",
    "2.0.0",
    "-o",
    out,
    ...extra,
  ]);

describe("pack --expires", () => {
  test("a duration with its unit is that long after now; without a unit, or zero, a usage error", () => {
    const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
    const now = Date.UTC(2026, 5, 1);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom(...(Object.keys(units) as (keyof typeof units)[])),
        (n, unit) => {
          expect(expiryOf(`${n}${unit}`, now)?.getTime()).toBe(now + n * units[unit]);
        },
      ),
      { seed: 6_202_601, numRuns: 50 },
    );
    for (const wrong of ["7", "0s", "-1h", "1.5h", "h", "2 days", "1y", `${"9".repeat(20)}w`]) {
      expect(() => expiryOf(wrong, now), wrong).toThrow(/option --expires needs a duration/);
    }
    expect(expiryOf(undefined, now)).toBeUndefined();
  });

  test("signed into the bundle: pack and inspect say until when; a usage error writes nothing", async () => {
    const out = join(dir, "v2.bundle.json");
    const packed = await pack(out, "--expires", "12h");
    expect(packed.code, packed.stderr).toBe(0);
    const { created, expires } = JSON.parse(readFileSync(out, "utf8")).payload.manifest;
    expect(Date.parse(expires) - Date.parse(created)).toBe(12 * 3_600_000);
    expect(packed.stdout).toContain(`  expires ${expires} (services refuse it from then on)\n`);
    const inspected = await metamorph(["inspect", out]);
    expect(inspected.stdout).toContain(`  expires:   ${expires} (services refuse it from then on)`);

    const refused = join(dir, "refused.bundle.json");
    const wrong = await pack(refused, "--expires", "7", "--json");
    expect(wrong.code).toBe(2);
    expect(JSON.parse(wrong.stdout)).toMatchObject({
      code: "MM_USAGE",
      message: expect.stringContaining('got "7"'),
    });
    expect(existsSync(refused)).toBe(false);
  });
});

test("pack prints a name with control characters escaped, as inspect and apply do (review advZ31 #5)", async () => {
  const out = join(dir, "named.bundle");
  const { code, stdout } = await pack(out, "--name", "evil\u001b[2J\nname");
  expect(code).toBe(0);
  expect(stdout).toContain("packed evil\\u{1b}[2J\\u{a}name (1.0.0 → 2.0.0");
  expect(stdout).not.toContain("\u001b");
});
