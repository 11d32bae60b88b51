/** `metamorph status --to <socket|pid> [--json]`: the running release, the history (current, permanent, old), pending lazy work and the last pauses. */
import type { FinalMessage } from "../../release/index.js";
import { describeStatus } from "../../release/index.js";
import { EXIT_OK, EXIT_REFUSED, runCommand } from "./command.js";
import { callService, TO_HELP, TO_OPTION } from "./control.js";

export const STATUS_USAGE = `usage: metamorph status --to <socket|pid> [--json]

Shows the release a service runs, its release history with each release's
state (current, permanent, old, rolled-back), the objects still waiting for
a lazy migration, the last pauses and an update prepared and waiting. For a
cluster's primary: one line per worker; exit 1 when the workers do not all
run the same release.

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

/** A process's status, or a cluster's: every worker, whether they agree, what waits. */
export function describeServiceStatus(answer: Readonly<Record<string, unknown>>): string {
  return describeStatus(answer as unknown as FinalMessage);
}

/** 1 for a cluster whose workers run different releases. */
function exitCode(answer: FinalMessage): number {
  return "agreed" in answer && answer.agreed === false ? EXIT_REFUSED : EXIT_OK;
}

export function status(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, ({ values }) =>
    callService({
      command: "status",
      to: values.to!,
      json: values.json === true,
      send: (client) => client.status(),
      describeResult: (answer) => describeServiceStatus(answer),
      exitCode,
    }),
  );
}
