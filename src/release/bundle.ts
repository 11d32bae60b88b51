/**
 * A signed patch bundle: one JSON file holding the patches of one release
 * step (code as source text), the options the lifecycle applies them with, a
 * manifest (which release it turns into which, when, by whom) and an Ed25519
 * signature over the canonical serialisation of all of that.
 *
 * The file is the canonical JSON of the bundle, indented: the reader refuses
 * any other spelling of the same data, so that a change of a single byte
 * anywhere in the file is a refusal (malformed, unknown key or bad
 * signature), never an accepted bundle.
 */
import { createHash } from "node:crypto";
import type { PatchJson } from "../patch/json.js";
import type { Policy } from "../patch/operations.js";
import { canonicalJson } from "./canonicalJson.js";

export const BUNDLE_FORMAT = "metamorph.bundle/1";

export interface BundleManifest {
  /** The update's name in reports (default: the patches' names). */
  readonly name: string;
  /** The namespace the bundle is for; a server serving another one refuses it. Absent: any. */
  readonly namespace?: string;
  /** The release the process must be running for the bundle to apply. */
  readonly fromVersion: string;
  /** The release it runs after the commit. */
  readonly toVersion: string;
  /** ISO 8601. */
  readonly created: string;
  readonly createdBy: string;
  /**
   * ISO 8601: from this time on a service refuses the bundle
   * (MM_BUNDLE_EXPIRED, expiry.ts). Signed with the rest, so it cannot be
   * moved; absent (every bundle packed without `--expires`): no expiry.
   */
  readonly expires?: string;
}

/** How the lifecycle applies the bundle (see LifecycleUpdate and UpdateOptions). */
export interface BundleOptions {
  readonly policy?: Policy;
  /** Hold new calls of the affected classes while in-flight ones drain (forced quiescence). */
  readonly forceQuiescence?: boolean;
  /** Time-out for reaching alterability (ms); past it the update is postponed, nothing changed. */
  readonly timeoutMs?: number;
  readonly prepareTimeoutMs?: number;
  readonly overTimeoutMs?: number;
  /** Progressive sweep: objects per macrotask. */
  readonly sliceSize?: number;
  /**
   * After the commit, the service's health check runs for this long (ms);
   * a failure inside the window rolls the release back by itself.
   */
  readonly healthCheckWindowMs?: number;
}

/**
 * A changed top-level function: the service assigns `source` (a function
 * expression, compiled in the scope of `module` once the signature is
 * verified) to the module binding `name`, in the same update as the patches.
 */
export interface BundleFunction {
  /** The module's path relative to the service's root, with "/" separators (`src/format.ts`). */
  readonly module: string;
  readonly name: string;
  /** `function name(…) { … }` as JavaScript. */
  readonly source: string;
}

export interface BundlePayload {
  readonly manifest: BundleManifest;
  readonly patches: readonly PatchJson[];
  readonly options: BundleOptions;
  /** Absent when no top-level function changed (a bundle without it keeps the id it always had). */
  readonly functions?: readonly BundleFunction[];
}

export interface BundleSignature {
  readonly algorithm: "ed25519";
  readonly keyId: string;
  /** Base64 of the 64-byte signature. */
  readonly value: string;
}

/** What a bundle file holds. Inert data: nothing in it has been compiled. */
export interface Bundle {
  readonly format: typeof BUNDLE_FORMAT;
  readonly payload: BundlePayload;
  readonly signature: BundleSignature;
}

/** The bytes the signature covers. */
export function signedBytes(format: string, payload: BundlePayload): Buffer {
  return Buffer.from(canonicalJson({ format, payload }), "utf8");
}

/** A bundle's id: the SHA-256 of what its signature covers (the same bundle has the same id wherever it goes). */
export function bundleId(bundle: Bundle): string {
  return createHash("sha256").update(signedBytes(bundle.format, bundle.payload)).digest("hex");
}
