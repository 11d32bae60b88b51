/**
 * `metamorph rollback` and `metamorph permanent`: one request that moves the
 * service's release history, answered with the release running after it.
 * A refusal (nothing to roll back, already permanent: MM_RELEASE_STATE;
 * the engine's own refusal) exits 1 with nothing changed.
 */
import { runCommand } from "./command.js";
import { callService, TO_HELP, TO_OPTION } from "./control.js";

function usage(command: string, what: string): string {
  return `usage: metamorph ${command} --to <socket|pid> [--json]

${what}

options:
${TO_HELP}
  -h, --help         show this help
`;
}

export const ROLLBACK_USAGE = usage(
  "rollback",
  `Rolls the service's current release back (old code back, objects back to
the old layout); the release beneath it runs again. Refused when the running
release is permanent.`,
);

export const PERMANENT_USAGE = usage(
  "permanent",
  `Makes the service's current release permanent: rollback can no longer
return from it, and the releases beneath it are forgotten (their old class
versions can be collected).`,
);

/** A cluster's workers that did not answer (exited meanwhile), and the primary's note. */
function workerNotes(answer: Readonly<Record<string, unknown>>): string {
  const workers = Array.isArray(answer.workers)
    ? (answer.workers as Record<string, unknown>[])
    : [];
  const lines = workers.map((w) =>
    w.type === "error"
      ? `\n  worker ${String(w.pid)}: ${String(w.code)} ${String(w.message)}`
      : `\n  worker ${String(w.pid)}: running ${String(w.version)}`,
  );
  return `${typeof answer.note === "string" ? `\n${answer.note}` : ""}${lines.join("")}`;
}

function step(
  command: "rollback" | "permanent",
  usageText: string,
  done: (version: string) => string,
) {
  const spec = {
    name: command,
    usage: usageText,
    options: TO_OPTION,
    positionals: [],
    required: ["to"],
  } as const;
  return (args: readonly string[]): Promise<number> =>
    runCommand(spec, args, ({ values }) =>
      callService({
        command,
        to: values.to!,
        json: values.json === true,
        send: (client) => (command === "rollback" ? client.rollback() : client.permanent()),
        describeResult: (answer) => done(String(answer.version)) + workerNotes(answer),
      }),
    );
}

export const rollback = step(
  "rollback",
  ROLLBACK_USAGE,
  (version) => `rolled back: running ${version}`,
);
export const permanent = step(
  "permanent",
  PERMANENT_USAGE,
  (version) => `release ${version} is permanent`,
);
