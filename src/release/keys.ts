/**
 * Ed25519 keys for signing bundles, through `node:crypto`. Keys travel as PEM
 * text — SPKI for public keys, PKCS#8 for private ones — the form `openssl`
 * and every key store read and write, and one file each. A key is named by
 * its id: the first 128 bits of the SHA-256 of its public key (DER), in hex,
 * which a bundle records so that the verifier knows which trusted key to try.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
} from "node:crypto";
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

/** Whether PEM text reads as a private key (createPublicKey would quietly derive the public half). */
function readsAsPrivate(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

function readsAsPublic(pem: string): boolean {
  try {
    createPublicKey(pem);
    return !readsAsPrivate(pem);
  } catch {
    return false;
  }
}

export function publicKeyOf(input: PublicKeyInput): KeyObject {
  // A private key given where a public one is expected is a leak in the
  // making (it would sit beside the service): refused, not derived from.
  if (typeof input === "string" ? readsAsPrivate(input) : input.type === "private") {
    throw new InvalidKeyError(
      "this is a private key; give the service the public key (release.pub from metamorph keygen), and keep the private key on the release machine",
      { keyType: "private" },
    );
  }
  let key: KeyObject;
  try {
    key = typeof input === "string" ? createPublicKey(input) : input;
  } catch (error) {
    throw new InvalidKeyError(`a public key does not read as PEM: ${(error as Error).message}`, {});
  }
  if (key.type !== "public")
    throw new InvalidKeyError(`expected a public key, got a ${key.type} one`, {});
  return requireEd25519(key, "the public key");
}

export function privateKeyOf(input: PrivateKeyInput): KeyObject {
  let key: KeyObject;
  try {
    key = typeof input === "string" ? createPrivateKey(input) : input;
  } catch (error) {
    if (typeof input === "string" && readsAsPublic(input)) {
      throw new InvalidKeyError(
        "this is a public key; signing needs the private key (release.key from metamorph keygen)",
        { keyType: "public" },
      );
    }
    throw new InvalidKeyError(
      `a private key does not read as PEM: ${(error as Error).message}`,
      {},
    );
  }
  if (key.type !== "private")
    throw new InvalidKeyError(`expected a private key, got a ${key.type} one`, {});
  return requireEd25519(key, "the private key");
}

/**
 * The keys a service trusts, checked when it starts (`listen`): a private
 * key, text that is no key, a key of another type or no key at all would
 * otherwise pass, and every bundle be refused at its apply. Throws the
 * InvalidKeyError `metamorph run --trust` gives, naming which key.
 */
export function checkTrust(trust: unknown): void {
  if (!Array.isArray(trust) || trust.length === 0) {
    throw new InvalidKeyError(
      "no trusted public key: give the service at least one (trust: [release.pub's text] from metamorph keygen), or it could apply no bundle",
      { keys: Array.isArray(trust) ? 0 : typeof trust },
    );
  }
  trust.forEach((key: unknown, index) => {
    try {
      if (typeof key !== "string" && !(key instanceof KeyObject)) {
        throw new InvalidKeyError(
          `a ${typeof key} is no public key: give its PEM text or a KeyObject`,
          {},
        );
      }
      publicKeyOf(key as PublicKeyInput);
    } catch (error) {
      if (!(error instanceof InvalidKeyError)) throw error;
      throw new InvalidKeyError(`trusted key ${index + 1} of ${trust.length}: ${error.message}`, {
        ...error.details,
        index,
      });
    }
  });
}

/** The id a bundle names its signing key by. */
export function keyIdOf(input: PublicKeyInput): string {
  // A signer names its own key: the public half of its private KeyObject.
  const key =
    typeof input !== "string" && input.type === "private"
      ? createPublicKey(input)
      : publicKeyOf(input);
  const der = key.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, 32);
}
