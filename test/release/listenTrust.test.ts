/**
 * `listen` checks the keys it is told to trust before it opens its socket:
 * a private key, text that is no key, a key of another type, or an empty
 * list used to start a service that then refused every bundle at its apply
 * (advZ4). Now listen rejects with MM_INVALID_KEY — the error
 * readPublicKeyFile and `metamorph run --trust` give — naming the key, and
 * leaves no socket behind; a list of good public keys still listens.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Namespace } from "../../src/index.js";
import { generateKeys, listen } from "../../src/release/index.js";
import type { PublicKeyInput } from "../../src/release/index.js";
import { privateDir } from "./support.js";

let dir: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await privateDir();
});
afterAll(() => dir?.remove());

const good = generateKeys();
const other = generateKeys();
const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 })
  .publicKey.export({ type: "spki", format: "pem" })
  .toString();

type Bad = readonly [string, unknown, RegExp];
const BAD: readonly Bad[] = [
  ["a private key", good.privateKey, /this is a private key/],
  ["garbage text", "not a key at all", /does not read as PEM/],
  ["an RSA public key", rsa, /rsa key; bundles are signed with Ed25519/],
  ["a number", 42, /a number is no public key/],
];

let n = 0;
const socket = () => join(dir.dir, `t${++n}.sock`);

test("an empty trust list is refused with MM_INVALID_KEY, and no socket is made", async () => {
  const path = socket();
  await expect(
    listen({ trust: [], namespace: new Namespace("x"), version: "1", path }),
  ).rejects.toMatchObject({
    code: "MM_INVALID_KEY",
    message: expect.stringMatching(/no trusted public key/),
  });
  expect(existsSync(path)).toBe(false);
});

test("any bad key among good ones is refused, naming which key; only good keys listen", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom<unknown>(good.publicKey, other.publicKey), { maxLength: 3 }),
      fc.option(fc.constantFrom(...BAD), { nil: undefined }),
      fc.nat(3),
      async (keys, bad, at) => {
        const trust = [...keys];
        const index = Math.min(at, trust.length);
        if (bad) trust.splice(index, 0, bad[1]);
        const path = socket();
        const started = listen({
          trust: trust as PublicKeyInput[],
          namespace: new Namespace("x"),
          version: "1",
          path,
        });
        if (bad === undefined && trust.length > 0) {
          const server = await started;
          expect(existsSync(path)).toBe(true);
          await server.close();
          return;
        }
        await expect(started).rejects.toMatchObject({ code: "MM_INVALID_KEY" });
        if (bad) {
          await expect(started).rejects.toThrow(bad[2]);
          await expect(started).rejects.toThrow(`trusted key ${index + 1} of ${trust.length}`);
        }
        expect(existsSync(path)).toBe(false);
      },
    ),
    { seed: 20261207, numRuns: 40 },
  );
});
