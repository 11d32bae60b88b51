/**
 * `metamorph pack <patch-module> --key <private key> --from <v> --to <v> -o <file>`:
 * signs the module's patches, with the lifecycle options, into a bundle file
 * (packBundle). See patchModule.ts for what a patch module exports.
 */
import type { Policy } from "../../patch/operations.js";
import { packBundle, readPrivateKeyFile } from "../../release/index.js";
import { BundleOversizeError, bundleId, readBundle } from "../../release/index.js";
import { MAX_BUNDLE_BYTES } from "../../release/readBundle.js";
import { keyFileWarnings } from "../../release/keyFiles.js";
import { checkBundleOut, writeBundleFile } from "./bundleOut.js";
import { CommandUsageError, EXIT_OK, milliseconds, runCommand } from "./command.js";
import { jsonLine } from "./jsonOutput.js";
import { oneLine } from "../../release/printable.js";
import { loadPatchModule } from "./patchModule.js";

export const PACK_USAGE = `usage: metamorph pack <patch-module> --key <private key> --from <version> --to <version> -o <file> [--expires <duration>] [options]

Signs the patches a patch module exports into one bundle file for
metamorph apply. The patch module is an ES module (JavaScript, or TypeScript
with tsx) that exports a Patch as default, an array of them as default, or
an array named patches; several patches are applied as one update. Changed
top-level functions go in an export named functions, by module path and
name (as metamorph diff writes it), and are replaced in the same update. Importing
it runs it: pack only modules you trust (your own).

options:
  --key <file>             the private key (PEM, from metamorph keygen) (required)
  --from <version>         the release the service must be running (required)
  --to <version>           the release it runs after the update (required)
  -o, --out <file>         where to write the bundle (required): a new file,
                           or a bundle to replace; never a key, another
                           file, or through a symbolic link
  --name <name>            the update's name in reports (default: the patches')
  --namespace <name>       only a service serving this namespace accepts it
  --policy <policy>        eager, lazy or progressive (default: the patches')
  --force-quiescence       hold new calls of the affected classes while
                           in-flight ones drain; the service sees the calls
                           of a class only if it tracks it from start-up
                           (listen({ tracker }) or serveNamespace({ tracker }))
  --timeout <ms>           past this, the update is postponed, nothing changed
  --health-window <ms>     a failing health check within this window after
                           the commit rolls the release back by itself
  --expires <duration>     services refuse the bundle from this long after
                           now on (30m, 12h, 7d, 2w; units ms, s, m, h, d, w);
                           the time is signed into the bundle
  --json                   print the result, or the error, as one JSON object
  -h, --help               show this help
`;

const SPEC = {
  name: "pack",
  usage: PACK_USAGE,
  options: {
    key: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    out: { type: "string", short: "o" },
    name: { type: "string" },
    namespace: { type: "string" },
    policy: { type: "string" },
    "force-quiescence": { type: "boolean" },
    timeout: { type: "string" },
    "health-window": { type: "string" },
    expires: { type: "string" },
  },
  positionals: ["<patch-module>"],
  required: ["key", "from", "to", "out"],
} as const;

const POLICIES: readonly Policy[] = ["eager", "lazy", "progressive"];

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** The end of `--expires <duration>` from now; a unit is required (7 alone could be ms or days). */
export function expiryOf(value: string | undefined, now = Date.now()): Date | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(value.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2]!]! : Number.NaN;
  const at = new Date(now + ms);
  if (!(ms > 0) || Number.isNaN(at.getTime())) {
    throw new CommandUsageError(
      `option --expires needs a duration above zero with its unit (30m, 12h, 7d, 2w; ms, s, m, h, d or w), got "${value}"`,
    );
  }
  return at;
}

function policyOf(value: string | undefined): Policy | undefined {
  if (value === undefined) return undefined;
  if (!POLICIES.includes(value as Policy)) {
    throw new CommandUsageError(
      `option --policy needs one of ${POLICIES.join(", ")}, got "${value}"`,
    );
  }
  return value as Policy;
}

export function pack(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async ({ values, positionals, json }) => {
    // Usage is checked before anything is read or run.
    const policy = policyOf(values.policy);
    const timeoutMs = milliseconds(values.timeout, "timeout");
    const healthCheckWindowMs = milliseconds(values["health-window"], "health-window");
    const created = new Date();
    const expires = expiryOf(values.expires, created.getTime());
    const privateKey = await readPrivateKeyFile(values.key!);
    for (const warning of await keyFileWarnings(values.key!, "private"))
      process.stderr.write(`metamorph pack: warning: ${warning}\n`);
    // Before the module runs: a typo that names the key as -o stops here.
    await checkBundleOut(values.out!, values.key!);
    const { patches, functions } = await loadPatchModule(positionals[0]!);
    const text = packBundle(
      patches,
      {
        fromVersion: values.from!,
        toVersion: values.to!,
        ...(values.name !== undefined ? { name: values.name } : {}),
        ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
        ...(policy !== undefined ? { policy } : {}),
        ...(values["force-quiescence"] ? { forceQuiescence: true } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(healthCheckWindowMs !== undefined ? { healthCheckWindowMs } : {}),
        created,
        ...(expires !== undefined ? { expires } : {}),
        functions,
      },
      privateKey,
    );
    // A bundle no service would read (its bound is the default unless raised) is not written.
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > MAX_BUNDLE_BYTES) {
      throw new BundleOversizeError(
        `the bundle would be ${bytes} bytes, over the ${MAX_BUNDLE_BYTES} a service accepts by default (listen's maxBundleBytes): nothing written to ${values.out}; split the release into several bundles`,
        { bytes, maxBytes: MAX_BUNDLE_BYTES },
      );
    }
    await writeBundleFile(values.out!, text, values.key!);
    const bundle = readBundle(text, { maxBytes: Number.POSITIVE_INFINITY });
    const { manifest } = bundle.payload;
    if (json) {
      jsonLine({
        type: "result",
        ok: true,
        command: "pack",
        name: manifest.name,
        fromVersion: manifest.fromVersion,
        toVersion: manifest.toVersion,
        ...(manifest.expires !== undefined ? { expires: manifest.expires } : {}),
        patches: patches.length,
        functions: functions.length,
        out: values.out,
        bundleId: bundleId(bundle),
        keyId: bundle.signature.keyId,
      });
      return EXIT_OK;
    }
    process.stdout.write(
      `packed ${oneLine(manifest.name)} (${oneLine(manifest.fromVersion)} → ${oneLine(manifest.toVersion)}, ${patches.length} patch${patches.length === 1 ? "" : "es"}${functions.length > 0 ? `, ${functions.length} top-level function${functions.length === 1 ? "" : "s"}` : ""}) into ${values.out}\n  bundle ${bundleId(bundle).slice(0, 16)}, signed by key ${bundle.signature.keyId}\n${manifest.expires !== undefined ? `  expires ${manifest.expires} (services refuse it from then on)\n` : ""}`,
    );
    return EXIT_OK;
  });
}
