/** `metamorph keygen -o <dir>`: an Ed25519 key pair for signing bundles (writeKeyFiles). */
import { writeKeyFiles } from "../../release/index.js";
import { keyFileWarnings } from "../../release/keyFiles.js";
import { EXIT_OK, runCommand } from "./command.js";
import { jsonLine } from "./jsonOutput.js";

export const KEYGEN_USAGE = `usage: metamorph keygen -o <dir> [--name <name>]

Generates an Ed25519 key pair for signing patch bundles: <dir>/<name>.key
(the private key, PEM, mode 0600; an existing one is never overwritten) and
<dir>/<name>.pub (the public key the service trusts). <dir> is created 0700.

options:
  -o, --out <dir>    where to write the keys (required)
  --name <name>      the files' name (default: release)
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
    const files = await writeKeyFiles(values.out!, values.name ?? "release");
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
