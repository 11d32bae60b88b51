/**
 * A trusted key file another user controls (adversarial review advZ21):
 * readPublicKeyFile (`listen({ trust })`'s reader, `metamorph run --trust`)
 * refuses, with MM_INVALID_KEY as for a trust file others may write, a file
 * another user than the process's owns — mode 0644 or not, they rewrite it
 * at will — or one under a directory another user owns, found after
 * resolving links; root as owner is accepted. keyFileWarnings names the
 * real file's directory when the path is a link into an open one.
 */
import { chmod, chown, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { generateKeys, keyIdOf, readPublicKeyFile } from "../../src/release/index.js";
import { keyFileWarnings } from "../../src/release/keyFiles.js";
import { privateDir } from "./support.js";

const posix = process.platform !== "win32";
const root = process.getuid?.() === 0;
const NOBODY = 65534;
let dir: string;
let remove: () => Promise<void>;

beforeEach(async () => {
  ({ dir, remove } = await privateDir());
});
afterEach(async () => {
  vi.restoreAllMocks();
  await remove();
});

async function keyFile(at: string): Promise<{ path: string; keyId: string }> {
  const keys = generateKeys();
  const path = join(at, "release.pub");
  await writeFile(path, keys.publicKey, { mode: 0o644 });
  return { path, keyId: keys.keyId };
}

test.skipIf(!posix)(
  "a trust file another user owns (0644, in a 0755 directory) is refused, naming the owner",
  async () => {
    const theirs = join(dir, "theirs");
    await mkdir(theirs, { mode: 0o755 });
    const { path } = await keyFile(theirs);
    let owner: number;
    if (root) {
      await chown(path, NOBODY, NOBODY);
      owner = NOBODY;
    } else {
      // Not root: the file cannot be given away; the process is seen as another user instead.
      owner = process.getuid!();
      vi.spyOn(process, "geteuid").mockReturnValue(owner + 1);
    }
    await expect(readPublicKeyFile(path)).rejects.toMatchObject({
      code: "MM_INVALID_KEY",
      details: { path, owner },
      message: `${path} belongs to another user (uid ${owner}): whoever owns it can rewrite it at will and have their bundles trusted; give it to the service's user or root (chown), or trust a copy of your own`,
    });
  },
);

test.skipIf(!root)("a trust file root owns is accepted by a service of another user", async () => {
  const { path, keyId } = await keyFile(dir);
  vi.spyOn(process, "geteuid").mockReturnValue(4242);
  await chmod(dir, 0o755);
  expect(keyIdOf(await readPublicKeyFile(path))).toBe(keyId);
});

test.skipIf(!root)(
  "a trust file of the service's own, in a directory another user owns, is refused naming the directory",
  async () => {
    const theirs = join(dir, "theirs");
    await mkdir(theirs, { mode: 0o755 });
    const { path } = await keyFile(theirs);
    await chown(theirs, NOBODY, NOBODY);
    await expect(readPublicKeyFile(path)).rejects.toMatchObject({
      code: "MM_INVALID_KEY",
      details: { path, dir: theirs, owner: NOBODY },
      message: expect.stringContaining(
        `${path} is under ${theirs}, which belongs to another user (uid ${NOBODY})`,
      ),
    });
  },
);

test.skipIf(!root)(
  "through a link: the real file's directory is what counts, and a directory above it too",
  async () => {
    const theirs = join(dir, "theirs");
    const inner = join(theirs, "inner");
    await mkdir(inner, { recursive: true, mode: 0o755 });
    const { path: real } = await keyFile(inner);
    const link = join(dir, "trust.pub");
    await symlink(real, link);
    // Root owns inner and the file; another user owns the directory above, and can swap inner.
    await chown(theirs, NOBODY, NOBODY);
    await expect(readPublicKeyFile(link)).rejects.toMatchObject({
      code: "MM_INVALID_KEY",
      details: { path: link, dir: theirs, owner: NOBODY },
    });
    await chown(theirs, 0, 0);
    expect(await readPublicKeyFile(link)).toContain("BEGIN PUBLIC KEY");
  },
);

test.skipIf(!posix)(
  "a link to a trust key in a directory others may write is warned about for that directory",
  async () => {
    const shared = join(dir, "shared");
    await mkdir(shared);
    await chmod(shared, 0o757);
    const { path: real } = await keyFile(shared);
    const mine = join(dir, "mine");
    await mkdir(mine, { mode: 0o700 });
    const link = join(mine, "release.pub");
    await symlink(real, link);
    expect(await keyFileWarnings(link, "public")).toEqual([
      `the key directory ${shared} is writable by others (mode 757): whoever can write it can replace release.pub with a key of their own; chmod go-w ${shared}`,
    ]);
    expect(await keyFileWarnings(real, "public")).toEqual(await keyFileWarnings(link, "public"));
  },
);
