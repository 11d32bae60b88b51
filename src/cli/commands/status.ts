/** `metamorph status --to <socket|pid> [--json]`: the running release, the history (current, permanent, old), pending lazy work and the last pauses. */
import type { ReleaseStatus } from "../../release/index.js";
import { describeStatus } from "../../release/index.js";
import { runCommand } from "./command.js";
import { callService, TO_HELP, TO_OPTION } from "./control.js";

export const STATUS_USAGE = `usage: metamorph status --to <socket|pid> [--json]

Shows the release a service runs, its release history with each release's
state (current, permanent, old, rolled-back), the objects still waiting for
a lazy migration and the last pauses.

options:
${TO_HELP}
  -h, --help         show this help
`;

const SPEC = {
  name: "status",
  usage: STATUS_USAGE,
  options: TO_OPTION,
  positionals: [],
  required: ["to"],
} as const;

export function status(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, ({ values }) =>
    callService({
      command: "status",
      to: values.to!,
      json: values.json === true,
      send: (client) => client.status(),
      describeResult: (answer) => describeStatus(answer as unknown as ReleaseStatus),
    }),
  );
}
