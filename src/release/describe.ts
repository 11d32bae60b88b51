/** A bundle as a person reads it before applying it: manifest, options, signer, and each patch's summary. */
import { Patch } from "../patch/patch.js";
import type { Bundle } from "./bundle.js";
import { bundleId } from "./bundle.js";
import { oneLine } from "./printable.js";
import { isVerified } from "./verify.js";

function describeOptions(bundle: Bundle): string {
  const o = bundle.payload.options;
  const parts = [`policy ${o.policy ?? "(the patches')"}`];
  if (o.forceQuiescence) parts.push("forced quiescence");
  if (o.timeoutMs !== undefined) parts.push(`time-out ${o.timeoutMs} ms`);
  if (o.prepareTimeoutMs !== undefined) parts.push(`prepare time-out ${o.prepareTimeoutMs} ms`);
  if (o.overTimeoutMs !== undefined) parts.push(`lazy completion bound ${o.overTimeoutMs} ms`);
  if (o.sliceSize !== undefined) parts.push(`${o.sliceSize} objects per sweep slice`);
  if (o.healthCheckWindowMs !== undefined)
    parts.push(`health-check window ${o.healthCheckWindowMs} ms`);
  return parts.join(", ");
}

/**
 * A readable summary. Reads the patches' JSON form only (`patch.summary()`
 * prints sources, it does not compile them), so it is safe on a bundle
 * nobody has verified yet — and says whether this one was.
 */
export function describeBundle(bundle: Bundle): string {
  const { manifest, patches } = bundle.payload;
  // Every field comes from the bundle, verified or not: one line each, nothing a terminal acts on.
  const f = (value: unknown) => oneLine(String(value));
  const lines = [
    `bundle ${f(manifest.name)} (id ${bundleId(bundle).slice(0, 16)})`,
    `  release:   ${f(manifest.fromVersion)} → ${f(manifest.toVersion)}${manifest.namespace ? ` (namespace ${f(manifest.namespace)})` : ""}`,
    `  created:   ${f(manifest.created)} by ${f(manifest.createdBy)}`,
    ...(manifest.expires !== undefined
      ? [`  expires:   ${f(manifest.expires)} (services refuse it from then on)`]
      : []),
    `  signed by: key ${f(bundle.signature.keyId)} (${isVerified(bundle) ? "verified against a trusted key" : "not verified"})`,
    `  options:   ${describeOptions(bundle)}`,
    `  patches (${patches.length}):`,
  ];
  for (const json of patches) {
    const patch = Patch.fromJSON(json);
    lines.push(`    ${f(patch.name)} (${patch.operations.length} operations)`);
    for (const line of patch.summary().split("\n")) if (line) lines.push(`      ${f(line)}`);
  }
  const functions = bundle.payload.functions ?? [];
  if (functions.length > 0) {
    lines.push(`  top-level functions (${functions.length}), each compiled in its module's scope:`);
    for (const fn of functions) {
      lines.push(`    ${f(fn.module)}: ${f(fn.name)}`);
      for (const line of fn.source.split("\n")) lines.push(`      ${f(line)}`);
    }
  }
  return lines.join("\n");
}
