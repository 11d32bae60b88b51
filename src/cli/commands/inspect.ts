/**
 * `metamorph inspect <file>`: a bundle as a person reads it before it goes
 * out. readBundle compiles nothing and describeBundle prints sources as
 * text, so a bundle of unknown origin is safe to inspect.
 */
import type { Bundle } from "../../release/index.js";
import { bundleId, describeBundle, MAX_BUNDLE_BYTES, readBundle } from "../../release/index.js";
import { EXIT_OK, readInputFile, runCommand } from "./command.js";
import { jsonLine } from "./jsonOutput.js";

export const INSPECT_USAGE = `usage: metamorph inspect <file>

Prints a bundle's manifest (release from → to, created when and by whom),
the key that signed it, its options and each patch's operations. Nothing in
the bundle is compiled or run; the signature is not verified here (the
service verifies it against the keys it trusts).

options:
  --json        print it as one JSON object (and an error as one too)
  -h, --help    show this help
`;

const SPEC = { name: "inspect", usage: INSPECT_USAGE, options: {}, positionals: ["<file>"] };

/** What --json prints: the bundle's data as it is (sources included, as text), its id, the patches' names. */
function bundleFacts(bundle: Bundle) {
  const { manifest, options, patches, functions } = bundle.payload;
  return {
    type: "result",
    ok: true,
    command: "inspect",
    id: bundleId(bundle),
    format: bundle.format,
    manifest,
    options,
    signature: { algorithm: bundle.signature.algorithm, keyId: bundle.signature.keyId },
    verified: false,
    patches: patches.map((p) => ({ name: p.name, operations: p.operations.length })),
    functions: (functions ?? []).map((f) => ({ module: f.module, name: f.name })),
  };
}

export function inspect(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async ({ positionals, json }) => {
    const bytes = await readInputFile(positionals[0]!, MAX_BUNDLE_BYTES);
    const bundle = readBundle(bytes, { maxBytes: MAX_BUNDLE_BYTES });
    if (json) {
      jsonLine(bundleFacts(bundle));
      return EXIT_OK;
    }
    process.stdout.write(`${describeBundle(bundle)}\n`);
    return EXIT_OK;
  });
}
