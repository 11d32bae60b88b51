/**
 * Where writeKeyFiles (`metamorph keygen`) writes (adversarial review
 * advZ21): only into the directory given, under a plain file name; never
 * through a link planted where a key file goes, nor over an existing public
 * key; and not at all into a directory another user owns or anyone may
 * write — refused before anything is written.
 */
import {
  chmod,
  chown,
  lstat,
  mkdir,
  readdir,
  readFile,
  symlink,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { writeKeyFiles } from "../../src/release/keyFiles.js";
import { privateDir } from "./support.js";

const posix = process.platform !== "win32";
let dir: string;
let remove: () => Promise<void>;

beforeEach(async () => {
  ({ dir, remove } = await privateDir());
});
afterEach(async () => {
  vi.restoreAllMocks();
  await remove();
});

/** Makes `path` another user's: chown as root, else this process seen as another user. */
async function giveAway(path: string): Promise<number> {
  if (process.getuid?.() === 0) {
    await chown(path, 65534, 65534);
    return 65534;
  }
  const mine = process.getuid!();
  vi.spyOn(process, "geteuid").mockReturnValue(mine + 1);
  return mine;
}

test("a name that is not a plain file name is refused (MM_INVALID_OPTION), nothing written anywhere", async () => {
  const keys = join(dir, "a", "keys");
  for (const name of [
    "../../escaped",
    "../escaped",
    "sub/release",
    "..",
    ".",
    "",
    "a\\b",
    "x\0y",
  ]) {
    await expect(writeKeyFiles(keys, name), name).rejects.toMatchObject({
      code: "MM_INVALID_OPTION",
      details: { option: "name", value: name },
    });
  }
  expect(await readdir(dir)).toEqual([]);
});

test("whatever the name, the keys land in the directory given or nothing is written", async () => {
  const keys = join(dir, "keys");
  await mkdir(keys, { mode: 0o700 });
  await fc.assert(
    fc.asyncProperty(fc.stringMatching(/^[./\\a-z]{1,8}$/), async (name) => {
      try {
        const files = await writeKeyFiles(keys, name);
        expect(files.privateKeyPath).toBe(join(keys, `${name}.key`));
        expect(await readdir(keys)).toEqual(expect.arrayContaining([`${name}.key`, `${name}.pub`]));
      } catch (error) {
        expect(error).toMatchObject({ code: expect.stringMatching(/^MM_INVALID_(OPTION|KEY)$/) });
      }
      // Nothing outside the key directory, whatever the name said.
      expect(await readdir(dir)).toEqual(["keys"]);
    }),
    { seed: 2_104_021, numRuns: 60 },
  );
});

test.skipIf(!posix)(
  "a link planted where the public key goes is not written through: refused, and no private key is left",
  async () => {
    const keys = join(dir, "keys");
    await mkdir(keys, { mode: 0o700 });
    const victim = join(dir, "victim.conf");
    await writeFile(victim, "important config\n", { mode: 0o600 });
    await symlink(victim, join(keys, "release.pub"));
    await expect(writeKeyFiles(keys)).rejects.toMatchObject({
      code: "MM_INVALID_KEY",
      message: expect.stringContaining(`${join(keys, "release.pub")} exists; it was left alone`),
    });
    expect(await readFile(victim, "utf8")).toBe("important config\n");
    expect(await readdir(keys)).toEqual(["release.pub"]);
    expect((await lstat(join(keys, "release.pub"))).isSymbolicLink()).toBe(true);
  },
);

test("an existing public key is left alone as a private key is", async () => {
  const keys = join(dir, "keys");
  await mkdir(keys, { mode: 0o700 });
  await writeFile(join(keys, "shop.pub"), "someone's key\n");
  await expect(writeKeyFiles(keys, "shop")).rejects.toMatchObject({ code: "MM_INVALID_KEY" });
  expect(await readFile(join(keys, "shop.pub"), "utf8")).toBe("someone's key\n");
  expect(await readdir(keys)).toEqual(["shop.pub"]);
});

test.skipIf(!posix)(
  "an existing directory another user owns is refused, naming it, before anything is written",
  async () => {
    const keys = join(dir, "keys");
    await mkdir(keys, { mode: 0o755 });
    const owner = await giveAway(keys);
    await expect(writeKeyFiles(keys)).rejects.toMatchObject({
      code: "MM_INVALID_KEY",
      details: { dir: keys, owner },
      message: expect.stringMatching(
        new RegExp(
          `^the key directory ${keys} belongs to another user \\(uid ${owner}\\):.*nothing was written`,
        ),
      ),
    });
    vi.restoreAllMocks();
    expect(await readdir(keys)).toEqual([]);
  },
);

test.skipIf(!posix)(
  "an existing directory anyone may write is refused; one of the user's own, 0700, is written into",
  async () => {
    const keys = join(dir, "keys");
    await mkdir(keys);
    await chmod(keys, 0o757);
    await expect(writeKeyFiles(keys)).rejects.toMatchObject({
      code: "MM_INVALID_KEY",
      details: { dir: keys, mode: "757" },
      message: expect.stringContaining(`chmod o-w ${keys}`),
    });
    expect(await readdir(keys)).toEqual([]);
    await chmod(keys, 0o700);
    const files = await writeKeyFiles(keys);
    expect((await readdir(keys)).sort()).toEqual(["release.key", "release.pub"]);
    expect((await lstat(files.privateKeyPath)).mode & 0o777).toBe(0o600);
  },
);
