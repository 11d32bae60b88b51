/**
 * The trust boundary: a bundle's code may be compiled only once its
 * signature has been checked against a key the process trusts. `verifyBundle`
 * returns a frozen, re-checked copy, recorded as verified; `patchesOf` — the
 * one place a bundle's sources are compiled — accepts nothing else, so a
 * bundle that was only read (or read and then changed) is refused before a
 * single character of it is compiled.
 */
import { verify } from "node:crypto";
import type { Patch } from "../patch/patch.js";
import { Patch as PatchClass } from "../patch/patch.js";
import type { Bundle, BundlePayload } from "./bundle.js";
import { bundleId, signedBytes } from "./bundle.js";
import { canonicalJsonPretty } from "./canonicalJson.js";
import {
  BadSignatureError,
  BundleMalformedError,
  UnknownKeyError,
  UnverifiedBundleError,
} from "./errors.js";
import type { PublicKeyInput } from "./keys.js";
import { keyIdOf, publicKeyOf } from "./keys.js";
import type { ReadBundleOptions, SignedParts } from "./readBundle.js";
import { maxBytesOf, readBundleText, textReadFor } from "./readBundle.js";
import { oneLine } from "./printable.js";

/** A bundle whose signature a trusted key verified. */
export interface VerifiedBundle extends Bundle {
  readonly id: string;
  /** The id of the trusted key that verified it. */
  readonly verifiedBy: string;
}

const verified = new WeakSet<object>();

function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

/** A bundle's name for a refusal, read before the manifest was checked. */
function nameOf(payload: SignedParts["payload"]): string {
  const manifest = payload.manifest as { name?: unknown } | null;
  const name = typeof manifest === "object" && manifest !== null ? manifest.name : undefined;
  return typeof name === "string" ? oneLine(name) : "(unnamed)";
}

/**
 * Checks the signature of what it covers — the format and the payload as
 * parsed, which, once the payload's checks pass, is the same canonical JSON
 * as the payload read — against the trusted keys.
 */
function checkSignature(trustedPublicKeys: readonly PublicKeyInput[], parts: SignedParts): void {
  const { format, payload, signature } = parts;
  const keys = trustedPublicKeys.map(publicKeyOf);
  const key = keys.find((k) => keyIdOf(k) === signature.keyId);
  if (!key) {
    throw new UnknownKeyError(
      `bundle ${nameOf(payload)} is signed by key ${oneLine(signature.keyId)}, which this process does not trust (it trusts ${keys.length === 0 ? "no key" : keys.map((k) => keyIdOf(k)).join(", ")})`,
      { keyId: signature.keyId, trusted: keys.map((k) => keyIdOf(k)) },
    );
  }
  const covered = signedBytes(format, payload as unknown as BundlePayload);
  if (!verify(null, covered, key, Buffer.from(signature.value, "base64"))) {
    throw new BadSignatureError(
      `bundle ${nameOf(payload)}: the signature of key ${oneLine(signature.keyId)} does not match the content (changed after signing, or forged)`,
      { keyId: signature.keyId },
    );
  }
}

function sealed(bundle: Bundle): VerifiedBundle {
  const result: VerifiedBundle = deepFreeze({
    ...bundle,
    id: bundleId(bundle),
    verifiedBy: bundle.signature.keyId,
  });
  verified.add(result);
  return result;
}

/**
 * Reads a bundle file's text (or bytes) and verifies it in one pass, in the
 * order untrusted input calls for: the JSON parsed and the envelope read,
 * then the key id and the signature — before a single source is parsed —
 * then every other check, once. Refuses as readBundle and verifyBundle do.
 */
export function readVerifiedBundle(
  input: string | Uint8Array,
  trustedPublicKeys: readonly PublicKeyInput[],
  options: ReadBundleOptions = {},
): VerifiedBundle {
  const { bundle } = readBundleText(input, maxBytesOf(options, "readBundle"), {
    signed: (parts) => checkSignature(trustedPublicKeys, parts),
  });
  return sealed(bundle);
}

/**
 * Checks the signature against the trusted keys, on a fresh copy of the
 * bundle (the caller's object may be anything, and change), before any of
 * its sources is parsed; a bundle readBundle returned, unchanged, is not
 * parsed again. Refusals: UnknownKeyError (signed by no trusted key),
 * BadSignatureError (changed after signing), BundleMalformedError (not a
 * bundle).
 */
export function verifyBundle(
  bundle: Bundle,
  trustedPublicKeys: readonly PublicKeyInput[],
): VerifiedBundle {
  let text: string;
  try {
    text = canonicalJsonPretty(bundle);
  } catch (error) {
    throw new BundleMalformedError(`bundle: not JSON data: ${(error as Error).message}`, {
      path: "(root)",
    });
  }
  const { bundle: copy } = readBundleText(text, Number.POSITIVE_INFINITY, {
    signed: (parts) => checkSignature(trustedPublicKeys, parts),
    patchesChecked: textReadFor(bundle) === text,
  });
  return sealed(copy);
}

export function isVerified(bundle: Bundle): bundle is VerifiedBundle {
  return verified.has(bundle);
}

/**
 * The bundle's patches, compiled (their sources see `scope`'s names) and
 * composed into one patch, applied as one update. Refused with
 * UnverifiedBundleError, before anything is compiled, for any bundle
 * `verifyBundle` did not return.
 */
export function patchesOf(bundle: Bundle, scope: Readonly<Record<string, unknown>> = {}): Patch {
  if (!isVerified(bundle)) {
    throw new UnverifiedBundleError(
      `bundle ${bundle?.payload?.manifest?.name ?? "(unnamed)"} has not been verified: its code is not compiled until verifyBundle accepts its signature`,
      {},
    );
  }
  // The signature vouches for the code: the patches carry the key that verified them.
  const trust = { verifiedBy: bundle.signature.keyId };
  const patches = bundle.payload.patches.map((json) =>
    PatchClass.fromJSON(json, { trust }).hydrate(scope),
  );
  if (patches.length === 1) return patches[0]!;
  return PatchClass.compose(patches, bundle.payload.manifest.name);
}
