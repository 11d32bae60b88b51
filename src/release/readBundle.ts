/**
 * Reading a bundle file: bounded in size, parsed, every field checked, the
 * patches read with `Patch.fromJSON`'s checks — and nothing compiled. What
 * comes back is inert data; only `verifyBundle` turns it into something that
 * may be applied.
 */
import { InvalidPatchError } from "../errors.js";
import type { PatchJson } from "../patch/json.js";
import { Patch } from "../patch/patch.js";
import type {
  Bundle,
  BundleFunction,
  BundleManifest,
  BundleOptions,
  BundlePayload,
  BundleSignature,
} from "./bundle.js";
import { BUNDLE_FORMAT } from "./bundle.js";
import { canonicalJsonPretty } from "./canonicalJson.js";
import { BundleMalformedError, BundleOversizeError } from "./errors.js";
import { keys, requireReleaseOptions } from "./optionKeys.js";

/** Default bound on a bundle file (bytes): patches are source text, far below this. */
export const MAX_BUNDLE_BYTES = 4 * 1024 * 1024;

export interface ReadBundleOptions {
  /** Refused above this many bytes, before parsing. Default MAX_BUNDLE_BYTES. */
  readonly maxBytes?: number;
}

const READ_KEYS = keys<ReadBundleOptions>({ maxBytes: true });

type Record_ = Readonly<Record<string, unknown>>;

function fail(path: string, problem: string): never {
  throw new BundleMalformedError(`bundle ${path}: ${problem}`, { path });
}

function record(
  value: unknown,
  path: string,
  keys: readonly string[],
  required: readonly string[],
): Record_ {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(path, `expected an object, got ${Array.isArray(value) ? "an array" : typeof value}`);
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) fail(`${path}.${key}`, `unknown property (known: ${keys.join(", ")})`);
  }
  for (const key of required) {
    if (!(key in value)) fail(`${path}.${key}`, "missing");
  }
  return value as Record_;
}

function text(value: unknown, path: string): string {
  if (typeof value !== "string" || value.length === 0) fail(path, "expected a non-empty string");
  return value;
}

function readManifest(value: unknown): BundleManifest {
  const path = "payload.manifest";
  const m = record(
    value,
    path,
    ["name", "namespace", "fromVersion", "toVersion", "created", "createdBy", "expires"],
    ["name", "fromVersion", "toVersion", "created", "createdBy"],
  );
  const created = text(m.created, `${path}.created`);
  if (Number.isNaN(Date.parse(created))) fail(`${path}.created`, "not an ISO 8601 date");
  const fromVersion = text(m.fromVersion, `${path}.fromVersion`);
  const toVersion = text(m.toVersion, `${path}.toVersion`);
  // Replay is refused by release: one whose versions are equal would apply
  // again at every delivery, running its migrations each time.
  if (fromVersion === toVersion)
    fail(
      `${path}.toVersion`,
      `the same as fromVersion (${JSON.stringify(fromVersion)}); a release moves to another version`,
    );
  return {
    name: text(m.name, `${path}.name`),
    ...(m.namespace !== undefined ? { namespace: text(m.namespace, `${path}.namespace`) } : {}),
    fromVersion,
    toVersion,
    created,
    createdBy: text(m.createdBy, `${path}.createdBy`),
    ...(m.expires !== undefined ? { expires: readExpires(m.expires, created) } : {}),
  };
}

/** An ISO 8601 time after `created`: a bundle that expired before it was made is a mistake. */
function readExpires(value: unknown, created: string): string {
  const path = "payload.manifest.expires";
  const expires = text(value, path);
  const at = Date.parse(expires);
  if (Number.isNaN(at)) fail(path, "not an ISO 8601 date");
  if (at <= Date.parse(created)) fail(path, `not after created (${created})`);
  return expires;
}

/** The longest delay a timer takes (Node runs a longer one after 1 ms). */
export const MAX_TIMER_MS = 2_147_483_647;

const DURATIONS = [
  "timeoutMs",
  "prepareTimeoutMs",
  "overTimeoutMs",
  "healthCheckWindowMs",
] as const;

function readOptions(value: unknown): BundleOptions {
  const path = "payload.options";
  const o = record(value, path, ["policy", "forceQuiescence", "sliceSize", ...DURATIONS], []);
  const out: Record<string, unknown> = {};
  if (o.policy !== undefined) {
    if (o.policy !== "eager" && o.policy !== "lazy" && o.policy !== "progressive")
      fail(`${path}.policy`, "expected eager, lazy or progressive");
    out.policy = o.policy;
  }
  if (o.forceQuiescence !== undefined) {
    if (typeof o.forceQuiescence !== "boolean")
      fail(`${path}.forceQuiescence`, "expected a boolean");
    out.forceQuiescence = o.forceQuiescence;
  }
  for (const key of [...DURATIONS, "sliceSize"] as const) {
    const v = o[key];
    if (v === undefined) continue;
    const sliceSize = key === "sliceSize";
    if (
      typeof v !== "number" ||
      !Number.isSafeInteger(v) ||
      v < (sliceSize ? 1 : 0) ||
      (!sliceSize && v > MAX_TIMER_MS)
    )
      fail(
        `${path}.${key}`,
        `expected a whole number${sliceSize ? " ≥ 1" : ` of ms from 0 to ${MAX_TIMER_MS}`}`,
      );
    out[key] = v;
  }
  return out as BundleOptions;
}

/**
 * The patches, each read with Patch.fromJSON's checks (which parse their
 * sources), unless `checked`: this very text passed them before.
 */
function readPatches(value: unknown, checked: boolean): PatchJson[] {
  if (!Array.isArray(value) || value.length === 0)
    fail("payload.patches", "expected a non-empty array of patches");
  if (checked) return value as PatchJson[];
  return value.map((json, i) => {
    try {
      // Checks the shape only: the sources stay text, nothing is compiled.
      Patch.fromJSON(json);
    } catch (error) {
      if (error instanceof InvalidPatchError) fail(`payload.patches[${i}]`, error.message);
      throw error;
    }
    return json as PatchJson;
  });
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Relative, "/"-separated, inside the root: no empty, "." or ".." segment, no backslash. */
function isModulePath(path: string): boolean {
  return !path.includes("\\") && path.split("/").every((s) => s !== "" && s !== "." && s !== "..");
}

function readFunctions(value: unknown): BundleFunction[] {
  const path = "payload.functions";
  if (!Array.isArray(value) || value.length === 0)
    fail(path, "expected a non-empty array of functions (leave it out when there are none)");
  const seen = new Set<string>();
  return value.map((entry, i) => {
    const at = `${path}[${i}]`;
    const f = record(entry, at, ["module", "name", "source"], ["module", "name", "source"]);
    const module = text(f.module, `${at}.module`);
    if (!isModulePath(module))
      fail(`${at}.module`, "expected a path relative to the service's root, with / separators");
    const name = text(f.name, `${at}.name`);
    if (!IDENTIFIER.test(name)) fail(`${at}.name`, "expected an identifier");
    const key = `${module}\0${name}`;
    if (seen.has(key)) fail(at, `${module}: function ${name} is listed twice`);
    seen.add(key);
    return { module, name, source: text(f.source, `${at}.source`) };
  });
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function readSignature(value: unknown): BundleSignature {
  const path = "signature";
  const s = record(value, path, ["algorithm", "keyId", "value"], ["algorithm", "keyId", "value"]);
  if (s.algorithm !== "ed25519") fail(`${path}.algorithm`, "expected ed25519");
  const keyId = text(s.keyId, `${path}.keyId`);
  if (!/^[0-9a-f]{32}$/.test(keyId)) fail(`${path}.keyId`, "expected 32 lower-case hex digits");
  const v = text(s.value, `${path}.value`);
  // Base64 decoders ignore stray bits and characters: only the one spelling of 64 bytes is accepted.
  const bytes = Buffer.from(v, "base64");
  if (!BASE64.test(v) || bytes.length !== 64 || bytes.toString("base64") !== v)
    fail(`${path}.value`, "expected the base64 of a 64-byte Ed25519 signature");
  return { algorithm: "ed25519", keyId, value: v };
}

/**
 * A bundle file's bytes as text, strictly: a byte that is not UTF-8 would
 * read as U+FFFD, the same text as a bundle holding that character, and its
 * signature would still hold.
 */
export function bundleText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    fail("(file)", "not UTF-8 text");
  }
}

/** What the signature covers (the format, the payload as parsed) and the signature itself. */
export interface SignedParts {
  readonly format: typeof BUNDLE_FORMAT;
  readonly payload: Record_;
  readonly signature: BundleSignature;
}

/** The bundle's envelope: enough to check its signature, and nothing of the payload read yet. */
function readSignedParts(parsed: unknown): SignedParts {
  const root = record(
    parsed,
    "(root)",
    ["format", "payload", "signature"],
    ["format", "payload", "signature"],
  );
  if (root.format !== BUNDLE_FORMAT) fail("format", `expected ${JSON.stringify(BUNDLE_FORMAT)}`);
  const payload = record(
    root.payload,
    "payload",
    ["manifest", "patches", "options", "functions"],
    ["manifest", "patches", "options"],
  );
  return { format: BUNDLE_FORMAT, payload, signature: readSignature(root.signature) };
}

function readPayload(payload: Record_, patchesChecked: boolean): BundlePayload {
  return {
    manifest: readManifest(payload.manifest),
    patches: readPatches(payload.patches, patchesChecked),
    options: readOptions(payload.options),
    ...(payload.functions !== undefined ? { functions: readFunctions(payload.functions) } : {}),
  };
}

/** What verification does in the middle of reading (verify.ts). */
export interface ReadSteps {
  /**
   * Called with the signed parts before any field of the payload is
   * checked: the signature is checked there, so that a forged bundle's
   * sources are never parsed (thousands of them, megabytes, held the
   * service's event loop for seconds).
   */
  readonly signed?: (parts: SignedParts) => void;
  /** This exact text passed every check before: its patches' sources are not parsed again. */
  readonly patchesChecked?: boolean;
}

/** The bound a reading is given, its options checked. */
export function maxBytesOf(options: ReadBundleOptions, call: string): number {
  requireReleaseOptions(options, READ_KEYS, call);
  return options.maxBytes ?? MAX_BUNDLE_BYTES;
}

/** Reads a bundle's text: bounded, parsed, its envelope, every field, and its canonical form. */
export function readBundleText(
  input: string | Uint8Array,
  maxBytes: number,
  steps: ReadSteps = {},
): { readonly bundle: Bundle; readonly text: string } {
  const size = typeof input === "string" ? Buffer.byteLength(input, "utf8") : input.byteLength;
  if (size > maxBytes) {
    throw new BundleOversizeError(`a bundle of ${size} bytes is over the bound of ${maxBytes}`, {
      bytes: size,
      maxBytes,
    });
  }
  const text = typeof input === "string" ? input : bundleText(input);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail("(file)", `not JSON: ${(error as Error).message}`);
  }
  const parts = readSignedParts(parsed);
  steps.signed?.(parts);
  const bundle: Bundle = {
    format: parts.format,
    payload: readPayload(parts.payload, steps.patchesChecked ?? false),
    signature: parts.signature,
  };
  if (text !== canonicalJsonPretty(parsed)) {
    fail(
      "(file)",
      "not in canonical form: it was edited or re-encoded after packing (pack it again)",
    );
  }
  return { bundle, text };
}

const readFrom = new WeakMap<object, string>();

/**
 * The text readBundle read `bundle` from, every check passed: a bundle that
 * serialises to it again is that text, and needs no second parse of its
 * sources (verifyBundle).
 */
export function textReadFor(bundle: unknown): string | undefined {
  return typeof bundle === "object" && bundle !== null ? readFrom.get(bundle) : undefined;
}

/** Parses and checks a bundle file's text (or bytes). Compiles nothing; verifies nothing. */
export function readBundle(input: string | Uint8Array, options: ReadBundleOptions = {}): Bundle {
  const { bundle, text } = readBundleText(input, maxBytesOf(options, "readBundle"));
  readFrom.set(bundle, text);
  return bundle;
}
