/**
 * `metamorph inspect <file>`: a bundle as a person reads it before it goes
 * out. readBundle compiles nothing and describeBundle prints sources as
 * text, so a bundle of unknown origin is safe to inspect.
 */
import { describeBundle, MAX_BUNDLE_BYTES, readBundle } from "../../release/index.js";
import { EXIT_OK, readInputFile, runCommand } from "./command.js";

export const INSPECT_USAGE = `usage: metamorph inspect <file>

Prints a bundle's manifest (release from → to, created when and by whom),
the key that signed it, its options and each patch's operations. Nothing in
the bundle is compiled or run; the signature is not verified here (the
service verifies it against the keys it trusts).

options:
  -h, --help    show this help
`;

const SPEC = { name: "inspect", usage: INSPECT_USAGE, options: {}, positionals: ["<file>"] };

export function inspect(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async ({ positionals }) => {
    const bytes = await readInputFile(positionals[0]!, MAX_BUNDLE_BYTES);
    const bundle = readBundle(bytes, { maxBytes: MAX_BUNDLE_BYTES });
    process.stdout.write(`${describeBundle(bundle)}\n`);
    return EXIT_OK;
  });
}
