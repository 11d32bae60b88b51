/**
 * A cluster's `status`: every worker's answer in `workers`, and at the top
 * level what holds for the cluster — a worker's history (the same
 * everywhere) only when all run the same release, `agreed` saying whether
 * they do, the cluster's prepared update if one waits (its id is the one
 * `--commit` takes, not a worker's own), and the workers a failed commit
 * still waits on (`late`, transaction.ts).
 */
import type { ControlMessage } from "./protocol.js";
import { jsonSafe } from "./protocol.js";
import type { Participant } from "./transaction.js";

export interface ClusterPrepared {
  readonly id: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly expiresAt: string;
}

export async function clusterStatus(
  participants: readonly Participant[],
  prepared: ClusterPrepared | undefined,
  /** Read once the workers answered: one may have answered its late commit meanwhile. */
  late: () => readonly number[],
): Promise<ControlMessage> {
  const answers = await Promise.all(
    participants.map((p) => p.call({ command: "status" }).then((m) => ({ pid: p.pid, ...m }))),
  );
  // The primary answers even when a worker does not (exited, timed out): that worker's
  // line says so, and `agreed` is false.
  const answered = answers.every((a) => a.type === "result" && a.ok === true);
  const versions = new Set(answers.map((a) => (a as Readonly<Record<string, unknown>>).version));
  const agreed = answered && versions.size === 1;
  // A worker's own prepared update is under `workers`; the top level's is the cluster's.
  const {
    prepared: _own,
    pid: _pid,
    ...first
  } = (answers[0] ?? {}) as Readonly<Record<string, unknown>>;
  return {
    ...(agreed ? first : {}),
    type: "result",
    ok: true,
    command: "status",
    agreed,
    ...(prepared ? { prepared: { ...prepared } } : {}),
    ...(late().length > 0 ? { late: [...late()] } : {}),
    workers: jsonSafe(answers, 6),
  } as ControlMessage;
}

/**
 * A worker waiting for the outcome of the update in progress before it
 * starts (ReleaseLog.hold): it has no release yet, and asked, it would not
 * answer before the update ends — so its line says so at once.
 */
export function heldWorker(pid: number): Participant {
  return {
    pid,
    call: async () => ({
      type: "result",
      ok: false,
      command: "status",
      starting: true,
      reason: `worker ${pid} is starting: it waits for the outcome of the update in progress, then starts on the release the cluster ends on`,
    }),
  };
}
