/**
 * A cluster's `rollback` and `permanent` (cluster.ts): every running worker
 * is asked, and the primary's log (catchUp.ts) follows what the cluster
 * does, so that a worker forked next starts on the release the others run.
 * A rollback is the way out of a release that crashes its workers: each
 * re-forked worker replays it and dies, so some workers exit while they are
 * asked, and at times none is running at all. A worker that exited is
 * forked again from the log; so the log is rolled back when every worker
 * still running did roll back, whether or not others exited meanwhile, and
 * also with no worker running.
 */
import type { ReleaseLog } from "./catchUp.js";
import { clusterRefusal } from "./transaction.js";
import type { Participant, WorkerOutcome, WorkerReport } from "./transaction.js";
import { ClusterRefusedError } from "./errors.js";
import type { ControlMessage } from "./protocol.js";
import { jsonSafe } from "./protocol.js";

type Answer = Readonly<Record<string, unknown>> & { readonly pid: number };

const done = (a: Answer) => a.type === "result" && a.ok === true;
const exited = (a: Answer) => a.type === "error" && a.code === "MM_WORKER_EXITED";

/** A logged bundle's from- or to-release (the log holds bundles verified before they went in). */
function versionOf(bundle: string, which: "fromVersion" | "toVersion"): string | undefined {
  try {
    const manifest = (JSON.parse(bundle) as { payload?: { manifest?: Record<string, unknown> } })
      .payload?.manifest;
    return typeof manifest?.[which] === "string" ? manifest[which] : undefined;
  } catch {
    return undefined;
  }
}

const fromVersionOf = (bundle: string) => versionOf(bundle, "fromVersion");

/** What a worker forked now starts on: the log's bundles replayed over the code on disk. */
export function catchUpState(
  log: ReleaseLog | undefined,
  startVersion: string,
): { readonly version: string; readonly bundles: number; readonly permanent: number } {
  const { bundles, permanent } = log?.catchUp ?? { bundles: [], permanent: 0 };
  const last = bundles.at(-1);
  const version = (last && versionOf(last, "toVersion")) ?? startVersion;
  return { version, bundles: bundles.length, permanent };
}

function report(a: Answer, outcome: WorkerOutcome): WorkerReport {
  const error =
    a.type === "error"
      ? { code: String(a.code), message: String(a.message) }
      : (a.error as WorkerReport["error"]);
  return {
    pid: a.pid,
    outcome,
    ms: 0,
    ...(typeof a.version === "string" ? { version: a.version } : {}),
    ...(error ? { error } : {}),
    ...(typeof a.reason === "string" ? { reason: a.reason } : {}),
  };
}

/** Where a rollback or permanent takes the cluster from, and (a rollback) to. */
export interface ClusterReleases {
  /** The release the cluster runs (the log's last bundle's, or the code on disk's); unknown without a log. */
  readonly current: string | undefined;
  /** The release a rollback returns to (unknown: no bundle a rollback can take out). */
  readonly previous: string | undefined;
}

export function clusterReleases(
  log: ReleaseLog | undefined,
  startVersion: string,
): ClusterReleases {
  if (log === undefined) return { current: undefined, previous: undefined };
  const last = log.last;
  return {
    current: catchUpState(log, startVersion).version,
    previous: last === undefined ? undefined : fromVersionOf(last),
  };
}

/**
 * Asks every worker its release before a rollback or permanent goes to
 * any. A worker on another release than the cluster's (it rolled back by
 * itself in its health window, say) would be taken back to a release before
 * the one the others return to, or made permanent on its own: then nothing
 * is asked, and the answer names it (`astray`). A worker already on the
 * release a rollback returns to is left there (`there`). A worker that
 * exited or did not answer is asked as before, and its answer says so.
 */
export async function checkReleases(
  command: "rollback" | "permanent",
  participants: readonly Participant[],
  releases: ClusterReleases,
): Promise<{ ask: Participant[]; there: Answer[]; astray: Answer[] }> {
  const answers = await Promise.all(
    participants.map((p) => p.call({ command: "status" }).then((m) => ({ p, m }))),
  );
  const versionOfAnswer = ({ m }: (typeof answers)[number]) =>
    m.type === "result" && m.ok === true && typeof m.version === "string" ? m.version : undefined;
  const current = releases.current ?? answers.map(versionOfAnswer).find((v) => v !== undefined);
  const ask: Participant[] = [];
  const there: Answer[] = [];
  const astray: Answer[] = [];
  for (const answer of answers) {
    const version = versionOfAnswer(answer);
    const { pid } = answer.p;
    if (version === undefined || version === current) ask.push(answer.p);
    else if (command === "rollback" && version === releases.previous)
      there.push({
        pid,
        type: "result",
        ok: true,
        command,
        version,
        note: `already on ${version}, the release the cluster returns to: left as it is`,
      });
    else {
      astray.push({
        pid,
        type: "error",
        command,
        code: "MM_CLUSTER_REFUSED",
        message: `worker ${pid} runs ${version}, not the cluster's release ${current ?? "(unknown)"}: ${command === "rollback" ? `rolled back it would end before ${releases.previous ?? "the release the others return to"}` : "it would be made permanent on another release than the others"}; stop that worker (the one forked next starts on the cluster's release), then retry`,
        version,
      });
    }
  }
  return { ask, there, astray };
}

/** The cluster's answer to a rollback or permanent every running worker was asked. */
export function everyWorkerAnswer(
  command: "rollback" | "permanent",
  answers: readonly Answer[],
  log: ReleaseLog | undefined,
): ControlMessage {
  const ok =
    command === "rollback"
      ? answers.every((a) => done(a) || exited(a)) &&
        (answers.some(done) || log?.last !== undefined)
      : answers.every(done);
  const returnsTo = command === "rollback" && log?.last ? fromVersionOf(log.last) : undefined;
  if (ok && command === "rollback") log?.rolledBack();
  if (ok && command === "permanent") log?.madePermanent();
  const first = answers.find(done);
  const version = typeof first?.version === "string" ? first.version : returnsTo;
  const base = {
    type: "result",
    ok,
    command,
    ...(version !== undefined ? { version } : {}),
    workers: jsonSafe(answers, 6),
  } as const;
  if (ok) return base as ControlMessage;
  const error = clusterRefusal(
    `cluster ${command}`,
    answers.map((a) => report(a, done(a) ? "rolled-back" : "failed")),
  );
  return {
    ...base,
    reason: error.message,
    error: { code: error.code, name: error.name, message: error.message },
  } as ControlMessage;
}

/** A rollback or permanent refused before any worker was asked: the workers named run another release. */
export function astrayAnswer(
  command: "rollback" | "permanent",
  astray: readonly Answer[],
): ControlMessage {
  const error = clusterRefusal(
    `cluster ${command}`,
    astray.map((a) => report(a, "refused")),
  );
  return {
    type: "result",
    ok: false,
    command,
    reason: error.message,
    error: { code: error.code, name: error.name, message: error.message },
    workers: jsonSafe(astray, 6),
  } as ControlMessage;
}

/**
 * A rollback with no worker running, once the cluster has had workers: the
 * log drops its last bundle, so that the workers forked from now on start
 * on the release before it — the way out of a release that crashed every
 * worker until the program stopped forking.
 */
export function rollBackLog(log: ReleaseLog | undefined): ControlMessage {
  const last = log?.last;
  if (log === undefined || last === undefined) {
    throw new ClusterRefusedError(
      "rollback refused: no worker is running, and the cluster runs no release a rollback can leave (none applied since the start, or the last made permanent)",
      { workers: [] },
    );
  }
  log.rolledBack();
  const version = fromVersionOf(last);
  return {
    type: "result",
    ok: true,
    command: "rollback",
    ...(version !== undefined ? { version } : {}),
    workers: [],
    note: `no worker is running: the cluster's log is rolled back, and every worker forked from now on starts on ${version ?? "the release before"}`,
  };
}
