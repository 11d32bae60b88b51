/** `metamorph keygen -o <dir>`: an Ed25519 key pair for signing bundles (writeKeyFiles). */
import { writeKeyFiles } from "../../release/index.js";
import { isPlainFileName, keyFileWarnings } from "../../release/keyFiles.js";
import { CommandUsageError, EXIT_OK, runCommand } from "./command.js";
import { jsonLine } from "./jsonOutput.js";

export const KEYGEN_USAGE = `usage: metamorph keygen -o <dir> [--name <name>]

Generates an Ed25519 key pair for signing patch bundles: <dir>/<name>.key
(the private key, PEM, mode 0600) and <dir>/<name>.pub (the public key the
service trusts), each new: an existing file is never overwritten. <dir> is
created 0700; an existing one another user owns, or anyone may write, is
refused before anything is written.

options:
  -o, --out <dir>    where to write the keys (required)
  --name <name>      the files' name, a plain file name (default: release)
  --json             print the result, or the error, as one JSON object
  -h, --help         show this help
`;

const SPEC = {
  name: "keygen",
  usage: KEYGEN_USAGE,
  options: { out: { type: "string", short: "o" }, name: { type: "string" } },
  positionals: [],
  required: ["out"],
} as const;

export function keygen(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async ({ values, json }) => {
    const name = values.name ?? "release";
    // Checked by writeKeyFiles too (MM_INVALID_OPTION); here it is the command line that is wrong.
    if (!isPlainFileName(name))
      throw new CommandUsageError(
        `option --name needs a plain file name (no / or \\, not . or ..), got ${JSON.stringify(name)}: the keys go in the -o directory`,
      );
    const files = await writeKeyFiles(values.out!, name);
    // The directory may have been there already, open to others.
    for (const warning of await keyFileWarnings(files.privateKeyPath, "private"))
      process.stderr.write(`metamorph keygen: warning: ${warning}\n`);
    if (json) {
      jsonLine({
        type: "result",
        ok: true,
        command: "keygen",
        keyId: files.keyId,
        privateKey: files.privateKeyPath,
        publicKey: files.publicKeyPath,
      });
      return EXIT_OK;
    }
    process.stdout.write(
      `key ${files.keyId}\n  private: ${files.privateKeyPath} (keep it secret: it signs code the services run)\n  public:  ${files.publicKeyPath} (give it to the services: listen({ trust }))\n`,
    );
    return EXIT_OK;
  });
}
