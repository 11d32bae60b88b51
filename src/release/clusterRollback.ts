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
import type { WorkerOutcome, WorkerReport } from "./transaction.js";
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
