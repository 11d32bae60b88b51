/**
 * The answers of a cluster's primary (cluster.ts) to an update: committed
 * everywhere, or refused with every worker's outcome; and the check a
 * commit makes first, that the workers it prepared are the ones running.
 */
import type { ReleaseWarning } from "./history.js";
import type { ControlMessage } from "./protocol.js";
import { jsonSafe } from "./protocol.js";
import type { Participant, WorkerReport } from "./transaction.js";
import { abortAll, clusterRefusal } from "./transaction.js";

/** The release every worker runs, if one: a worker that exited runs none and does not count. */
export const commonVersion = (workers: readonly WorkerReport[]): string | undefined => {
  const versions = new Set(workers.filter((w) => w.outcome !== "exited").map((w) => w.version));
  return versions.size === 1 ? [...versions][0] : undefined;
};

/**
 * A worker that exited since the prepare took its prepared update with it,
 * and one forked since runs the release before it: committing the rest
 * would split the cluster. So nothing commits — the live prepared ones are
 * aborted — and the answer names each worker that changed.
 */
export async function workersChanged(
  waiting: { readonly ids: ReadonlyMap<Participant, string> },
  running: readonly Participant[],
): Promise<WorkerReport[] | undefined> {
  const prepared = [...waiting.ids.keys()];
  const gone = prepared.filter((p) => p.alive?.() === false);
  const preparedPids = new Set(prepared.map((p) => p.pid));
  const added = running.filter((p) => !preparedPids.has(p.pid));
  if (gone.length === 0 && added.length === 0) return undefined;
  const live = new Map([...waiting.ids].filter(([p]) => !gone.includes(p)));
  const aborted = await abortAll(live);
  const failed = (pid: number, code: string, message: string): WorkerReport => ({
    pid,
    outcome: "failed",
    ms: 0,
    error: { code, message },
  });
  return [
    ...aborted,
    ...gone.map((p) =>
      failed(
        p.pid,
        "MM_WORKER_EXITED",
        `worker ${p.pid} exited after the prepare; its prepared update is gone`,
      ),
    ),
    ...added.map((p) =>
      failed(
        p.pid,
        "MM_CLUSTER_REFUSED",
        `worker ${p.pid} started after the prepare and was not prepared; prepare again`,
      ),
    ),
  ];
}

/**
 * A cluster update's report, read again once its outcome is in the log:
 * a worker that answered and has exited since runs nothing (a worker forked
 * again starts on the cluster's release), and a worker forked while the
 * update ran was not asked — it waited for the outcome (ReleaseLog.hold)
 * and starts on `version`, the release the cluster ended on.
 */
export function asTheyAre(
  lines: readonly WorkerReport[],
  participants: readonly Participant[],
  running: readonly Participant[],
  version: string,
): WorkerReport[] {
  const asked = new Map(participants.map((p) => [p.pid, p]));
  const now = lines.map((w): WorkerReport => {
    if (asked.get(w.pid)?.alive?.() !== false || w.error?.code === "MM_WORKER_EXITED") return w;
    const { version: _gone, ...rest } = w;
    return {
      ...rest,
      outcome: "exited",
      note: `${w.outcome}, then exited: it runs nothing now; a worker forked again starts on ${version}`,
    };
  });
  const forked = running
    .filter((p) => !asked.has(p.pid) && p.alive?.() !== false)
    .map(
      (p): WorkerReport => ({
        pid: p.pid,
        outcome: "not-asked",
        ms: 0,
        version,
        note: `forked while the update ran: it waited for the outcome and starts on ${version}`,
      }),
    );
  return [...now, ...forked];
}

export function committedAnswer(
  command: "apply" | "commit",
  workers: readonly WorkerReport[],
  t0: number,
  fromVersion: string,
  prepared: readonly WorkerReport[],
  id?: string,
): ControlMessage {
  const version = commonVersion(workers);
  return {
    type: "result",
    ok: true,
    command,
    status: "committed",
    ...(id ? { id } : {}),
    fromVersion,
    ...(version ? { version, toVersion: version } : {}),
    pauseMs: Math.max(0, ...workers.map((w) => w.pauseMs ?? 0)),
    migrated: workers.reduce((n, w) => n + (w.migrated ?? 0), 0),
    migratedSoFar: workers.reduce((n, w) => n + (w.migratedSoFar ?? w.migrated ?? 0), 0),
    straddled: workers.reduce((n, w) => n + (w.straddled ?? 0), 0),
    pending: 0,
    /** From the request to the last worker committed (ms). */
    clusterMs: performance.now() - t0,
    prepareMs: Math.max(0, ...prepared.map((w) => w.ms)),
    warnings: jsonSafe(clusterWarnings(workers), 4),
    workers: jsonSafe(workers, 5),
  };
}

/** Every worker's warnings, each said once with the workers that gave it (they run the same code). */
export function clusterWarnings(
  workers: readonly WorkerReport[],
): (ReleaseWarning & { workers: number[] })[] {
  const byText = new Map<string, ReleaseWarning & { workers: number[] }>();
  for (const w of workers) {
    for (const warning of w.warnings ?? []) {
      const key = `${warning.code}\0${warning.message}`;
      const seen = byText.get(key) ?? { ...warning, workers: [] };
      seen.workers.push(w.pid);
      byText.set(key, seen);
    }
  }
  return [...byText.values()];
}

export function refusedAnswer(
  command: "apply" | "prepare" | "commit",
  workers: readonly WorkerReport[],
  t0: number,
  id?: string,
): ControlMessage {
  const error = clusterRefusal(`cluster ${command}`, workers);
  return {
    type: "result",
    ok: false,
    command,
    status: "refused",
    ...(id ? { id } : {}),
    reason: error.message,
    error: { code: error.code, name: error.name, message: error.message },
    ...(commonVersion(workers) ? { version: commonVersion(workers) } : {}),
    clusterMs: performance.now() - t0,
    workers: jsonSafe(workers, 5),
  };
}
