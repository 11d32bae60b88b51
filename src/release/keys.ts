/**
 * Ed25519 keys for signing bundles, through `node:crypto`. Keys travel as PEM
 * text — SPKI for public keys, PKCS#8 for private ones — the form `openssl`
 * and every key store read and write, and one file each. A key is named by
 * its id: the first 128 bits of the SHA-256 of its public key (DER), in hex,
 * which a bundle records so that the verifier knows which trusted key to try.
 */
import type { KeyObject } from "node:crypto";
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { InvalidKeyError } from "./errors.js";

export interface KeyPair {
  /** PEM, SPKI: give it to the processes that must trust bundles signed with this pair. */
  readonly publicKey: string;
  /** PEM, PKCS#8, unencrypted: keep it where only the release pipeline reads it. */
  readonly privateKey: string;
  readonly keyId: string;
}

/** A public key as PEM text or a KeyObject. */
export type PublicKeyInput = string | KeyObject;
/** A private key as PEM text or a KeyObject. */
export type PrivateKeyInput = string | KeyObject;

export function generateKeys(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

function requireEd25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new InvalidKeyError(
      `${what} is a ${key.asymmetricKeyType ?? key.type} key; bundles are signed with Ed25519`,
      { keyType: key.asymmetricKeyType ?? key.type },
    );
  }
  return key;
}

export function publicKeyOf(input: PublicKeyInput): KeyObject {
  let key: KeyObject;
  try {
    key = typeof input === "string" ? createPublicKey(input) : input;
  } catch (error) {
    throw new InvalidKeyError(`a public key does not read as PEM: ${(error as Error).message}`, {});
  }
  if (key.type === "private") key = createPublicKey(key);
  if (key.type !== "public")
    throw new InvalidKeyError(`expected a public key, got a ${key.type} one`, {});
  return requireEd25519(key, "the public key");
}

export function privateKeyOf(input: PrivateKeyInput): KeyObject {
  let key: KeyObject;
  try {
    key = typeof input === "string" ? createPrivateKey(input) : input;
  } catch (error) {
    throw new InvalidKeyError(
      `a private key does not read as PEM: ${(error as Error).message}`,
      {},
    );
  }
  if (key.type !== "private")
    throw new InvalidKeyError(`expected a private key, got a ${key.type} one`, {});
  return requireEd25519(key, "the private key");
}

/** The id a bundle names its signing key by. */
export function keyIdOf(input: PublicKeyInput): string {
  const der = publicKeyOf(input).export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, 32);
}
