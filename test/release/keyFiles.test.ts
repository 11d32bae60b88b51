import { chmod, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import {
  controlPath,
  defaultSocketPath,
  InvalidKeyError,
  keyIdOf,
  readPrivateKeyFile,
  readPublicKeyFile,
  writeKeyFiles,
} from "../../src/release/index.js";
import { privateKeyExposure } from "../../src/release/keyFiles.js";
import { privateDir } from "./support.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0)) await clean();
});

test("keygen writes the private key 0600 and the public key 0644, and never overwrites a private key", async () => {
  const { dir, remove } = await privateDir();
  cleanups.push(remove);
  const keys = await writeKeyFiles(join(dir, "keys"), "shop");
  expect((await stat(keys.privateKeyPath)).mode & 0o777).toBe(0o600);
  expect((await stat(keys.publicKeyPath)).mode & 0o777).toBe(0o644);
  expect((await stat(join(dir, "keys"))).mode & 0o777).toBe(0o700);
  expect(keyIdOf(await readPublicKeyFile(keys.publicKeyPath))).toBe(keys.keyId);
  expect(await readPrivateKeyFile(keys.privateKeyPath)).toBe(keys.privateKey);
  await expect(writeKeyFiles(join(dir, "keys"), "shop")).rejects.toThrow(InvalidKeyError);
  expect(await readPrivateKeyFile(keys.privateKeyPath)).toBe(keys.privateKey);
});

test("a key file that is not an Ed25519 PEM key is refused", async () => {
  const { dir, remove } = await privateDir();
  cleanups.push(remove);
  const keys = await writeKeyFiles(dir);
  await writeFile(join(dir, "junk.pub"), "hello");
  await expect(readPublicKeyFile(join(dir, "junk.pub"))).rejects.toMatchObject({
    code: "MM_INVALID_KEY",
  });
  await expect(readPrivateKeyFile(keys.publicKeyPath)).rejects.toMatchObject({
    code: "MM_INVALID_KEY",
  });
});

test("--to names a socket by pid or by path", () => {
  expect(controlPath("4242")).toBe(defaultSocketPath(4242));
  expect(controlPath("/run/shop/control.sock")).toBe("/run/shop/control.sock");
  expect(defaultSocketPath(4242)).toMatch(/metamorph(-\w+)?[/\\]4242\.sock$/);
});

test("the private key given as a trusted key is refused (not derived from); the public key given to sign with says so", async () => {
  const { dir, remove } = await privateDir();
  cleanups.push(remove);
  const keys = await writeKeyFiles(dir);
  await expect(readPublicKeyFile(keys.privateKeyPath)).rejects.toMatchObject({
    code: "MM_INVALID_KEY",
    message: expect.stringContaining("this is a private key; give the service the public key"),
  });
  expect(() => keyIdOf(keys.privateKey)).toThrow(/this is a private key/);
  await expect(readPrivateKeyFile(keys.publicKeyPath)).rejects.toMatchObject({
    code: "MM_INVALID_KEY",
    message: expect.stringContaining("this is a public key"),
  });
});

test.skipIf(process.platform === "win32")(
  "a trust file others may write is refused; a private key others may read is named for a warning",
  async () => {
    const { dir, remove } = await privateDir();
    cleanups.push(remove);
    const keys = await writeKeyFiles(dir);
    await chmod(keys.publicKeyPath, 0o664);
    await expect(readPublicKeyFile(keys.publicKeyPath)).rejects.toMatchObject({
      code: "MM_INVALID_KEY",
      message: expect.stringContaining("writable by its group (mode"),
    });
    // Writable by everyone: said as such, not as the group alone (review advZ31 #5).
    await chmod(keys.publicKeyPath, 0o666);
    await expect(readPublicKeyFile(keys.publicKeyPath)).rejects.toMatchObject({
      code: "MM_INVALID_KEY",
      message: expect.stringContaining("writable by its group and others (mode 666)"),
    });
    await chmod(keys.publicKeyPath, 0o644);
    expect(keyIdOf(await readPublicKeyFile(keys.publicKeyPath))).toBe(keys.keyId);
    expect(await privateKeyExposure(keys.privateKeyPath)).toBeUndefined();
    await chmod(keys.privateKeyPath, 0o644);
    expect(await privateKeyExposure(keys.privateKeyPath)).toMatch(
      /readable by its group .*chmod 600/,
    );
  },
);
