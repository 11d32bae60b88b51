/**
 * One update over several processes as one transaction (two-phase commit,
 * with the coordinator in the cluster's primary): every participant
 * prepares and answers; only when all are ready do all commit; if any
 * refuses, fails or does not answer in time, none commits — the prepared
 * ones abort — and a participant whose commit went through while another's
 * did not is rolled back. The participants are reached through their
 * control requests, so the same code drives workers over IPC and, in tests,
 * stand-ins.
 */
import { ClusterRefusedError } from "./errors.js";
import type { ControlMessage, ControlRequest } from "./protocol.js";
import { wireError } from "./protocol.js";

export interface Participant {
  /** Names it in the report (a worker's pid). */
  readonly pid: number;
  /** One request; resolves with its final message (a time-out or a lost worker is an error message). */
  call(request: ControlRequest, timeoutMs?: number): Promise<ControlMessage>;
}

export type WorkerOutcome =
  | "prepared"
  | "committed"
  | "refused"
  | "aborted"
  | "rolled-back"
  | "failed"
  | "not-asked";

/** One line of the report: what happened in one participant. */
export interface WorkerReport {
  readonly pid: number;
  readonly outcome: WorkerOutcome;
  readonly version?: string;
  readonly pauseMs?: number;
  /** How long the worker held new calls of the affected classes (forced quiescence). */
  readonly holdMs?: number;
  readonly heldCalls?: number;
  readonly migrated?: number;
  readonly migratedSoFar?: number;
  /** How long the worker took to answer this phase (ms). */
  readonly ms: number;
  readonly error?: { readonly code: string; readonly message: string };
  readonly reason?: string;
}

type Final = Readonly<Record<string, unknown>> & ControlMessage;

const ok = (m: ControlMessage): boolean => m.type === "result" && m.ok === true;

function errorOf(m: Final): WorkerReport["error"] {
  if (m.type === "error") return { code: String(m.code), message: String(m.message) };
  const e = m.error as { code?: unknown; message?: unknown } | undefined;
  if (e === undefined) return undefined;
  return { code: String(e.code), message: String(e.message) };
}

function line(pid: number, outcome: WorkerOutcome, m: Final | undefined, ms: number): WorkerReport {
  const num = (k: string) => (typeof m?.[k] === "number" ? { [k]: m[k] as number } : {});
  const error = m ? errorOf(m) : undefined;
  return {
    pid,
    outcome,
    ms,
    ...(typeof m?.version === "string" ? { version: m.version } : {}),
    ...(typeof m?.toVersion === "string" && outcome === "prepared"
      ? { version: m.fromVersion as string }
      : {}),
    ...num("pauseMs"),
    ...num("holdMs"),
    ...num("heldCalls"),
    ...num("migrated"),
    ...num("migratedSoFar"),
    ...(error ? { error } : {}),
    ...(typeof m?.reason === "string" ? { reason: m.reason } : {}),
  };
}

async function timed(
  participant: Participant,
  request: ControlRequest,
  timeoutMs?: number,
): Promise<{ message: Final; ms: number }> {
  const t0 = performance.now();
  let message: ControlMessage;
  try {
    message = await participant.call(request, timeoutMs);
  } catch (error) {
    message = { type: "error", command: request.command, ...wireError(error) };
  }
  return { message: message as Final, ms: performance.now() - t0 };
}

export interface Prepared {
  readonly ready: boolean;
  /** Each participant's id of its prepared update (the ready ones). */
  readonly ids: ReadonlyMap<Participant, string>;
  readonly workers: readonly WorkerReport[];
}

/** Phase one everywhere; when one is not ready, the ready ones are aborted before this returns. */
export async function prepareAll(
  participants: readonly Participant[],
  bundle: string,
  expiresInMs: number | undefined,
): Promise<Prepared> {
  const request: ControlRequest = {
    command: "prepare",
    bundle,
    ...(expiresInMs === undefined ? {} : { expiresInMs }),
  };
  const answers = await Promise.all(participants.map((p) => timed(p, request)));
  const ids = new Map<Participant, string>();
  answers.forEach(({ message }, i) => {
    if (ok(message)) ids.set(participants[i]!, String(message.id));
  });
  const ready = ids.size === participants.length;
  if (ready) {
    return {
      ready,
      ids,
      workers: answers.map(({ message, ms }, i) =>
        line(participants[i]!.pid, "prepared", message, ms),
      ),
    };
  }
  await abortAll(ids);
  return {
    ready,
    ids: new Map(),
    workers: answers.map(({ message, ms }, i) =>
      line(participants[i]!.pid, ok(message) ? "aborted" : "refused", message, ms),
    ),
  };
}

/** Drops prepared updates; nothing of them had changed any participant. */
export async function abortAll(ids: ReadonlyMap<Participant, string>): Promise<WorkerReport[]> {
  return Promise.all(
    [...ids].map(async ([p, id]) => {
      const { message, ms } = await timed(p, { command: "abort", id });
      return line(p.pid, ok(message) ? "aborted" : "failed", message, ms);
    }),
  );
}

export interface Committed {
  readonly committed: boolean;
  readonly workers: readonly WorkerReport[];
}

/**
 * Phase two everywhere; when one did not commit, the ones that did are
 * rolled back. `timeoutMs` bounds a commit's answer: the bundle's own waits
 * (quiescence, the end of a lazy migration) plus a margin. A worker that
 * answers later is reported failed, though it may still commit: its status
 * tells.
 */
export async function commitAll(
  ids: ReadonlyMap<Participant, string>,
  timeoutMs?: number,
): Promise<Committed> {
  const entries = [...ids];
  const answers = await Promise.all(
    entries.map(([p, id]) => timed(p, { command: "commit", id }, timeoutMs)),
  );
  const committed = answers.every(({ message }) => ok(message));
  if (committed) {
    return {
      committed,
      workers: answers.map(({ message, ms }, i) =>
        line(entries[i]![0].pid, "committed", message, ms),
      ),
    };
  }
  const workers = await Promise.all(
    answers.map(async ({ message, ms }, i) => {
      const participant = entries[i]![0];
      if (!ok(message)) return line(participant.pid, "failed", message, ms);
      const undo = await timed(participant, { command: "rollback" });
      return ok(undo.message)
        ? {
            ...line(participant.pid, "rolled-back", message, ms),
            version: String(undo.message.version),
          }
        : line(participant.pid, "failed", undo.message, ms + undo.ms);
    }),
  );
  return { committed, workers };
}

/** The typed error of a cluster update that did not happen, naming each worker's answer. */
export function clusterRefusal(
  what: string,
  workers: readonly WorkerReport[],
): ClusterRefusedError {
  const refusing = workers.filter((w) => w.outcome === "refused" || w.outcome === "failed");
  const why = refusing
    .map(
      (w) =>
        `worker ${w.pid} ${w.outcome}: ${w.error ? `${w.error.code} ${w.error.message}` : (w.reason ?? "no reason given")}`,
    )
    .join("; ");
  return new ClusterRefusedError(
    `${what}: the cluster stays on its release (${why || "a worker did not commit"})`,
    {
      workers: workers.map((w) => ({
        pid: w.pid,
        outcome: w.outcome,
        ...(w.error ? { code: w.error.code } : {}),
      })),
    },
  );
}
