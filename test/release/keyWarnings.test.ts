/**
 * Where a key file lives (keyFileWarnings): a private key others may read
 * or write, and a key directory others may write — of a private key or of
 * a public one — are each one warning naming the path and the chmod that
 * fixes it; nothing is said of a place only its owner can change.
 * A fast-check property over the file's and the directory's modes (fixed seed).
 */
import { chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { keyFileWarnings, writeKeyFiles } from "../../src/release/keyFiles.js";
import { privateDir } from "./support.js";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

let dir: string;
let remove: () => Promise<void>;
let keys: { privateKeyPath: string; publicKeyPath: string };

beforeAll(async () => {
  ({ dir, remove } = await privateDir());
  await mkdir(join(dir, "keys"), { mode: 0o700 });
  keys = await writeKeyFiles(join(dir, "keys"));
});
afterAll(async () => {
  await chmod(join(dir, "keys"), 0o700);
  await remove?.();
});

test.skipIf(process.platform === "win32")(
  "one warning per exposure, with its path and chmod; none for an owner-only place",
  async () => {
    const keyDir = join(dir, "keys");
    // The owner keeps rwx on the directory (or nothing could be read in it); the rest varies.
    const dirMode = fc.integer({ min: 0, max: 0o77 }).map((m) => 0o700 | m);
    const fileMode = fc.integer({ min: 0, max: 0o77 }).map((m) => 0o600 | m);
    await fc.assert(
      fc.asyncProperty(
        dirMode,
        fileMode,
        fc.constantFrom("private", "public"),
        async (d, f, kind) => {
          const path = kind === "private" ? keys.privateKeyPath : keys.publicKeyPath;
          await chmod(keyDir, d);
          await chmod(path, f);
          const warnings = await keyFileWarnings(path, kind);
          const expected: RegExp[] = [];
          if (kind === "private" && (f & 0o044) !== 0)
            expected.push(
              new RegExp(
                `^${escapeRegExp(path)} is readable by .*; chmod 600 ${escapeRegExp(path)}$`,
              ),
            );
          if (kind === "private" && (f & 0o022) !== 0)
            expected.push(
              new RegExp(
                `^${escapeRegExp(path)} is writable by .*; chmod 600 ${escapeRegExp(path)}$`,
              ),
            );
          if ((d & 0o022) !== 0)
            expected.push(
              new RegExp(
                `^the key directory ${escapeRegExp(keyDir)} is writable by .*; chmod go-w ${escapeRegExp(keyDir)}$`,
              ),
            );
          expect(warnings).toHaveLength(expected.length);
          for (const [i, pattern] of expected.entries()) expect(warnings[i]).toMatch(pattern);
        },
      ),
      { seed: 4_202_401, numRuns: 80 },
    );
  },
);

test.skipIf(process.platform === "win32")(
  "who may write is named: its group, or others",
  async () => {
    const keyDir = join(dir, "keys");
    await chmod(keys.privateKeyPath, 0o620);
    await chmod(keyDir, 0o703);
    expect(await keyFileWarnings(keys.privateKeyPath, "private")).toEqual([
      `${keys.privateKeyPath} is writable by its group (mode 620): whoever can write it can put in a key they know, and forge the bundles you sign; chmod 600 ${keys.privateKeyPath}`,
      `the key directory ${keyDir} is writable by others (mode 703): whoever can write it can replace release.key with a key of their own; chmod go-w ${keyDir}`,
    ]);
    await chmod(keys.privateKeyPath, 0o600);
    await chmod(keyDir, 0o700);
    expect(await keyFileWarnings(keys.privateKeyPath, "private")).toEqual([]);
  },
);
