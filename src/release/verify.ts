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
import type { Bundle } from "./bundle.js";
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
import { readBundle } from "./readBundle.js";
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

/** A fresh copy that passed every check of `readBundle` (the caller's object may be anything). */
function checkedCopy(bundle: Bundle): Bundle {
  let text: string;
  try {
    text = canonicalJsonPretty(bundle);
  } catch (error) {
    throw new BundleMalformedError(`bundle: not JSON data: ${(error as Error).message}`, {
      path: "(root)",
    });
  }
  return readBundle(text, { maxBytes: Number.POSITIVE_INFINITY });
}

/**
 * Checks the signature against the trusted keys. Refusals: UnknownKeyError
 * (signed by no trusted key), BadSignatureError (changed after signing),
 * BundleMalformedError (not a bundle).
 */
export function verifyBundle(
  bundle: Bundle,
  trustedPublicKeys: readonly PublicKeyInput[],
): VerifiedBundle {
  const copy = checkedCopy(bundle);
  const keys = trustedPublicKeys.map(publicKeyOf);
  const key = keys.find((k) => keyIdOf(k) === copy.signature.keyId);
  if (!key) {
    throw new UnknownKeyError(
      `bundle ${oneLine(copy.payload.manifest.name)} is signed by key ${oneLine(copy.signature.keyId)}, which this process does not trust (it trusts ${keys.length === 0 ? "no key" : keys.map((k) => keyIdOf(k)).join(", ")})`,
      { keyId: copy.signature.keyId, trusted: keys.map((k) => keyIdOf(k)) },
    );
  }
  const ok = verify(
    null,
    signedBytes(copy.format, copy.payload),
    key,
    Buffer.from(copy.signature.value, "base64"),
  );
  if (!ok) {
    throw new BadSignatureError(
      `bundle ${oneLine(copy.payload.manifest.name)}: the signature of key ${oneLine(copy.signature.keyId)} does not match the content (changed after signing, or forged)`,
      { keyId: copy.signature.keyId },
    );
  }
  const result: VerifiedBundle = deepFreeze({
    ...copy,
    id: bundleId(copy),
    verifiedBy: copy.signature.keyId,
  });
  verified.add(result);
  return result;
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
