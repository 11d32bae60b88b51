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
import type { ReleaseWarning } from "./history.js";
import type { ControlMessage, ControlRequest } from "./protocol.js";
import { wireError } from "./protocol.js";

export interface Participant {
  /** Names it in the report (a worker's pid). */
  readonly pid: number;
  /** False once it is known to be gone (a worker that exited); absent when that cannot be known. */
  readonly alive?: () => boolean;
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
  /** It answered, then exited: it runs nothing now. */
  | "exited"
  /** Forked while the update ran: it was not asked, and starts on the release the cluster ended on. */
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
  /** Calls running at its commit that started on the old version. */
  readonly straddled?: number;
  /** How long the worker took to answer this phase (ms). */
  readonly ms: number;
  readonly error?: { readonly code: string; readonly message: string };
  readonly reason?: string;
  /** What its engine warned about as it committed. */
  readonly warnings?: readonly ReleaseWarning[];
  /** The coordinator gave up waiting for its commit; its answer is still awaited (and rolled back if committed). */
  readonly late?: boolean;
  /** What the line means when its outcome alone does not say (a worker forked meanwhile, one that exited). */
  readonly note?: string;
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
    ...num("straddled"),
    ...num("migratedSoFar"),
    ...(error ? { error } : {}),
    ...(typeof m?.reason === "string" ? { reason: m.reason } : {}),
    ...(Array.isArray(m?.warnings) && m.warnings.length > 0
      ? { warnings: m.warnings as ReleaseWarning[] }
      : {}),
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
  /**
   * Settles when every participant the coordinator gave up on has answered
   * (or its call ended) and, if its late answer says it committed, has been
   * rolled back; resolves with those follow-ups' reports.
   */
  readonly settled: Promise<readonly WorkerReport[]>;
}

export interface CommitTiming {
  /** From the commit request to its deadline (ms): the bundle's waits before the commit, plus a margin. */
  readonly deadlineInMs: number;
  /** After the deadline, for the end of the commit (wait-until-over) and the answer's way back (ms). */
  readonly graceMs: number;
  /** How long a late answer is still awaited, to roll it back if it committed (ms). */
  readonly followUpMs: number;
}

const DEFAULT_TIMING: CommitTiming = { deadlineInMs: 30_000, graceMs: 3_000, followUpMs: 600_000 };

const GAVE_UP = Symbol("gave up");

/** Rolls back a participant whose answer says it committed (another did not). */
async function undo(participant: Participant, answer: Final, ms: number): Promise<WorkerReport> {
  const back = await timed(participant, { command: "rollback" });
  return ok(back.message)
    ? { ...line(participant.pid, "rolled-back", answer, ms), version: String(back.message.version) }
    : line(participant.pid, "failed", back.message, ms + back.ms);
}

/**
 * Phase two everywhere; when one did not commit, the ones that did are
 * rolled back. Each commit carries a deadline (commitDeadline.ts): a
 * participant refuses to let its update stand after it, checked as late as
 * its lifecycle allows. The coordinator waits the deadline plus a grace for
 * the rest of the commit and the answer's way back; a participant that has
 * not answered by then is reported failed, and its answer is still awaited:
 * if it says committed, the participant is rolled back (`settled`). So the
 * outcome is all or none — a participant that committed while the
 * transaction failed is rolled back as soon as its answer arrives.
 */
export async function commitAll(
  ids: ReadonlyMap<Participant, string>,
  timing: CommitTiming = DEFAULT_TIMING,
): Promise<Committed> {
  const entries = [...ids];
  const deadline = Date.now() + timing.deadlineInMs;
  const waitMs = timing.deadlineInMs + timing.graceMs;
  const calls = entries.map(([p, id]) =>
    timed(p, { command: "commit", id, deadline }, waitMs + timing.followUpMs),
  );
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<typeof GAVE_UP>((resolve) => {
    timer = setTimeout(() => resolve(GAVE_UP), waitMs);
  });
  const answers = await Promise.all(calls.map((call) => Promise.race([call, gaveUp])));
  clearTimeout(timer);
  const committed = answers.every((a) => a !== GAVE_UP && ok(a.message));
  if (committed) {
    return {
      committed,
      workers: answers.map((a, i) =>
        line(
          entries[i]![0].pid,
          "committed",
          (a as { message: Final }).message,
          (a as { ms: number }).ms,
        ),
      ),
      settled: Promise.resolve([]),
    };
  }
  const late: Promise<WorkerReport | undefined>[] = [];
  const workers = await Promise.all(
    answers.map(async (answer, i) => {
      const participant = entries[i]![0];
      if (answer === GAVE_UP) {
        late.push(
          calls[i]!.then(({ message, ms }) =>
            ok(message) ? undo(participant, message, ms) : undefined,
          ),
        );
        return gaveUpOn(participant.pid, waitMs);
      }
      const { message, ms } = answer;
      return ok(message)
        ? undo(participant, message, ms)
        : line(participant.pid, "failed", message, ms);
    }),
  );
  const settled = Promise.all(late).then((r) => r.filter((w) => w !== undefined));
  return { committed, workers, settled };
}

function gaveUpOn(pid: number, waitMs: number): WorkerReport {
  return {
    pid,
    outcome: "failed",
    ms: waitMs,
    late: true,
    error: {
      code: "MM_CONTROL_TIMEOUT",
      message: `worker ${pid} did not answer commit within ${waitMs} ms (its deadline and grace): past its deadline it does not let the update stand, and if it answers that it committed it is rolled back`,
    },
  };
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
