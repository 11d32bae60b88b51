import { stat, writeFile } from "node:fs/promises";
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
