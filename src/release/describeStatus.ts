/**
 * A service's status as a person reads it (`metamorph status`): what
 * `client.status()` answered — a process's history, a cluster's workers
 * (whether they agree, one line each, what a worker forked now starts on),
 * an update prepared and waiting — or the history alone (ReleaseStatus).
 */
import type { FinalMessage } from "./client.js";
import type { ReleaseStatus } from "./history.js";

type Answer = Readonly<Record<string, unknown>>;

function ms(value: number): string {
  return value < 10 ? `${value.toFixed(2)} ms` : `${Math.round(value)} ms`;
}

function describeHistory(status: ReleaseStatus): string {
  const checking = status.releases.some((r) => r.checking === true && r.state === "current");
  const lines = [
    `namespace ${status.namespace}: running ${status.version}${checking ? " (committed; the health check after the commit is still running, and rolls it back if it fails)" : ""}`,
    `pending migration: ${status.pending} object${status.pending === 1 ? "" : "s"}`,
    "releases (oldest first):",
  ];
  for (const r of status.releases) {
    const parts = [`  ${r.version.padEnd(12)} ${r.state.padEnd(11)}`];
    if (r.appliedAt) parts.push(`applied ${r.appliedAt}, pause ${ms(r.pauseMs)}`);
    else parts.push("started with");
    if (r.pending > 0) parts.push(`${r.pending} pending`);
    if (r.bundleId) parts.push(`bundle ${r.bundleId.slice(0, 16)}`);
    if (r.checking) parts.push("health check after the commit running");
    if (r.canRollBack) parts.push("rollback returns from it");
    if (r.functions) parts.push(`functions ${r.functions.join(", ")}`);
    if (r.reason) parts.push(`(${r.reason})`);
    lines.push(parts.join("  "));
    for (const w of r.warnings ?? []) lines.push(`    warning ${w.code}: ${w.message}`);
  }
  if (status.lastPauses.length > 0) {
    lines.push(
      `last pauses: ${status.lastPauses.map((p) => `${p.version} ${ms(p.pauseMs)}`).join(", ")}`,
    );
  }
  return lines.join("\n");
}

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

/** Why the workers' status is not one release: they disagree, some are starting, or some did not answer. */
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

/** A status answer: a process's, or a cluster's with every worker. */
function describeAnswer(answer: Answer): string {
  const workers = Array.isArray(answer.workers) ? (answer.workers as Answer[]) : undefined;
  const lines: string[] = [];
  if (workers === undefined || answer.agreed === true) {
    lines.push(
      Array.isArray(answer.releases)
        ? describeHistory(answer as unknown as ReleaseStatus)
        : "the answer carries no release history",
    );
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

/**
 * Describes `client.status()`'s answer as it comes (`describeStatus(await
 * client.status())`: a refusal, a process, a cluster), or a history's
 * `status()`.
 */
export function describeStatus(status: ReleaseStatus | FinalMessage): string {
  if ("type" in status && status.type === "error")
    return `status refused: ${status.code}: ${status.message}`;
  return describeAnswer(status as unknown as Answer);
}
