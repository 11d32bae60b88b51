/**
 * `metamorph pack` does not write a bundle over the 4 MiB a service reads
 * by default (MM_BUNDLE_OVERSIZE, exit 1, no file): it used to write one
 * that every service then refused.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { removeDir } from "../dev/support.js";
import { type Workspace, workspace } from "./releaseSupport.js";

let space: Workspace;

beforeAll(async () => {
  space = workspace("mm-cli-oversize-");
  expect((await space.metamorph(["keygen", "-o", "keys"])).code).toBe(0);
}, 60_000);

afterAll(() => {
  if (space) removeDir(space.dir);
});

test("a bundle over the bound is refused at pack with MM_BUNDLE_OVERSIZE, nothing written", async () => {
  const packed = await space.pack("huge.patch.mjs", "keys/release.key", "huge.bundle");
  expect(packed.code).toBe(1);
  expect(packed.stderr).toMatch(
    /^metamorph pack: error MM_BUNDLE_OVERSIZE: the bundle would be \d+ bytes/,
  );
  expect(existsSync(join(space.dir, "huge.bundle"))).toBe(false);
}, 60_000);
