/** Signing patches into a bundle file (see bundle.ts for what the file holds). */
import { sign } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { Patch } from "../patch/patch.js";
import type { BundleFunction, BundleManifest, BundleOptions, BundlePayload } from "./bundle.js";
import { BUNDLE_FORMAT, signedBytes } from "./bundle.js";
import type { Bundle } from "./bundle.js";
import { canonicalJsonPretty } from "./canonicalJson.js";
import { BundleMalformedError, FunctionBindingError } from "./errors.js";
import { functionSourceProblem } from "./functionSource.js";
import type { PrivateKeyInput } from "./keys.js";
import { keyIdOf, privateKeyOf } from "./keys.js";
import { readBundle } from "./readBundle.js";
import { keys, requireReleaseOptions } from "./optionKeys.js";

export interface PackOptions extends BundleOptions {
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly name?: string;
  readonly namespace?: string;
  /** Default: user@host of this process. */
  readonly createdBy?: string;
  /** Default: now. */
  readonly created?: Date;
  /** From this time on services refuse the bundle (MM_BUNDLE_EXPIRED); signed. Default: never. */
  readonly expires?: Date;
  /** Changed top-level functions, replaced in the same update (see BundleFunction). */
  readonly functions?: readonly BundleFunction[];
}

/** Each source must be one function expression: refused here rather than at the service. */
function checkedFunctions(functions: readonly BundleFunction[]): BundleFunction[] {
  return functions.map((f) => {
    const problem = functionSourceProblem(f.source, f.name);
    if (problem !== undefined) {
      throw new FunctionBindingError(`${f.module}: function ${f.name}: ${problem}`, {
        module: f.module,
        name: f.name,
      });
    }
    return { module: f.module, name: f.name, source: f.source };
  });
}

function defaultAuthor(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `unknown@${hostname()}`;
  }
}

const OPTION_KEYS = keys<BundleOptions>({
  policy: true,
  forceQuiescence: true,
  timeoutMs: true,
  prepareTimeoutMs: true,
  overTimeoutMs: true,
  sliceSize: true,
  healthCheckWindowMs: true,
}) as readonly (keyof BundleOptions)[];
const PACK_KEYS = [
  ...OPTION_KEYS,
  ...keys<Omit<PackOptions, keyof BundleOptions>>({
    fromVersion: true,
    toVersion: true,
    name: true,
    namespace: true,
    createdBy: true,
    created: true,
    expires: true,
    functions: true,
  }),
];

/**
 * Signs the patches with the options into the text of a bundle file. The
 * patches travel in their JSON form (functions as source text); a patch
 * whose JSON form does not read back is refused here, not at the service.
 */
export function packBundle(
  patches: Patch | readonly Patch[],
  options: PackOptions,
  privateKey: PrivateKeyInput,
): string {
  requireReleaseOptions(options, PACK_KEYS, "packBundle");
  const list = patches instanceof Patch ? [patches] : [...patches];
  if (list.length === 0) {
    throw new BundleMalformedError("a bundle needs at least one patch", {
      path: "payload.patches",
    });
  }
  const key = privateKeyOf(privateKey);
  const json = list.map((p) => p.toJSON());
  const bundleOptions: Record<string, unknown> = {};
  for (const k of OPTION_KEYS) if (options[k] !== undefined) bundleOptions[k] = options[k];
  const manifest: BundleManifest = {
    name: options.name ?? list.map((p) => p.name).join(" + "),
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    fromVersion: options.fromVersion,
    toVersion: options.toVersion,
    created: (options.created ?? new Date()).toISOString(),
    createdBy: options.createdBy ?? defaultAuthor(),
    ...(options.expires !== undefined ? { expires: options.expires.toISOString() } : {}),
  };
  const functions = checkedFunctions(options.functions ?? []);
  const payload: BundlePayload = {
    manifest,
    patches: json,
    options: bundleOptions,
    ...(functions.length > 0 ? { functions } : {}),
  };
  const signature = sign(null, signedBytes(BUNDLE_FORMAT, payload), key);
  const bundle: Bundle = {
    format: BUNDLE_FORMAT,
    payload,
    signature: {
      algorithm: "ed25519",
      keyId: keyIdOf(key),
      value: signature.toString("base64"),
    },
  };
  const text = canonicalJsonPretty(bundle);
  // What the service will read: a manifest or an option it would refuse is refused here.
  readBundle(text, { maxBytes: Number.POSITIVE_INFINITY });
  return text;
}
