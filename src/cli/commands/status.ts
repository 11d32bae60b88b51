/** `metamorph status --to <socket|pid> [--json]`: the running release, the history (current, permanent, old), pending lazy work and the last pauses. */
import type { FinalMessage, ReleaseStatus } from "../../release/index.js";
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

type Answer = Readonly<Record<string, unknown>>;

/** One worker: its release, and its last release when that is not the one running (rolled back). */
function workerLine(w: Answer): string {
  if (w.type === "error")
    return `  worker ${String(w.pid)}: error ${String(w.code)}: ${String(w.message)}`;
  if (w.starting === true)
    return `  worker ${String(w.pid)}: starting — it waits for the outcome of the update in progress, then starts on the release the cluster ends on`;
  const releases = Array.isArray(w.releases) ? (w.releases as Answer[]) : [];
  const last = releases.at(-1);
  const parts = [`  worker ${String(w.pid)}: running ${String(w.version)}`];
  if (last && last.version !== w.version)
    parts.push(`last release ${String(last.version)} ${String(last.state)}`);
  if (typeof w.pending === "number" && w.pending > 0) parts.push(`${w.pending} pending`);
  return parts.join(", ");
}

function preparedLine(p: Answer): string {
  return `prepared: update ${String(p.id)} (${String(p.fromVersion)} → ${String(p.toVersion)}) waits for apply --commit or --abort, until ${String(p.expiresAt)}`;
}

/** Why the workers' status is not one release: they disagree, or some did not answer. */
function clusterLine(workers: readonly Answer[]): string {
  const silent = workers.filter((w) => w.type === "error");
  const starting = workers.filter((w) => w.starting === true);
  const versions = [
    ...new Set(workers.filter((w) => typeof w.version === "string").map((w) => String(w.version))),
  ];
  const others = versions.length > 0 ? `; the others run ${versions.join(", ")}` : "";
  if (starting.length > 0 && silent.length === 0)
    return `cluster: ${starting.length} of ${workers.length} workers still starting (they wait for the update in progress)${others}`;
  if (silent.length === 0) return `cluster: the workers DISAGREE — they run ${versions.join(", ")}`;
  return `cluster: ${silent.length} of ${workers.length} workers did not answer${others}`;
}

/** A process's status, or a cluster's: every worker, whether they agree, what waits. */
export function describeServiceStatus(answer: Answer): string {
  const workers = Array.isArray(answer.workers) ? (answer.workers as Answer[]) : undefined;
  const lines: string[] = [];
  if (workers === undefined || answer.agreed === true) {
    lines.push(describeStatus(answer as unknown as ReleaseStatus));
  } else if (workers.length === 0) {
    lines.push("cluster: no worker is running");
  } else {
    lines.push(clusterLine(workers));
  }
  const catchUp = answer.catchUp as Answer | undefined;
  if (catchUp && (workers?.length === 0 || answer.agreed !== true)) {
    lines.push(
      `a worker forked now starts on ${String(catchUp.version)} (${String(catchUp.bundles)} bundle(s) replayed over the code on disk)`,
    );
  }
  if (answer.prepared) lines.push(preparedLine(answer.prepared as Answer));
  if (workers) {
    lines.push(`workers (${workers.length}):`, ...workers.map(workerLine));
    if (Array.isArray(answer.late) && answer.late.length > 0) {
      lines.push(
        `  waiting for the commit answer of worker ${answer.late.join(", ")} (rolled back if it committed)`,
      );
    }
  }
  return lines.join("\n");
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
