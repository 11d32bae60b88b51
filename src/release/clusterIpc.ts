/**
 * The control channel between a cluster's primary and its workers: Node's
 * own IPC channel of `node:cluster` (`worker.send` / `process.send`), with
 * messages marked as metamorph's so that the program's own messages pass by,
 * and sealed with the cluster's key (clusterKey.ts), so that a message of
 * the program's that looks like one of metamorph's is not taken for one.
 * Each request carries a sequence number; progress and the final answer
 * come back with it. A worker that does not answer in time, or exits, is an
 * error answer — never a hang. A worker forked while the primary watches
 * says when it is ready; a request for it waits until then (see isReady).
 */
import cluster, { type Worker } from "node:cluster";
import { primaryClusterKey, seal, sealed, workerClusterKey } from "./clusterKey.js";
import { ControlTimeoutError, WorkerExitedError } from "./errors.js";
import type { ControlHandler } from "./localControl.js";
import type { ControlMessage, ControlRequest } from "./protocol.js";
import { parseRequest, wireError } from "./protocol.js";
import type { Participant } from "./transaction.js";

const TAG = "metamorph.control";

type Kind = "request" | "progress" | "answer";

/**
 * A request (`request`), or a worker's progress or answer (`message`);
 * `mac` seals its kind, seq and the JSON of what it carries (what the IPC
 * channel's own JSON gives back unchanged).
 */
function envelope(key: Buffer, kind: Kind, seq: number, carried: unknown) {
  const field = kind === "request" ? "request" : "message";
  return { [TAG]: kind, seq, [field]: carried, mac: seal(key, kind, seq, JSON.stringify(carried)) };
}

const isEnvelope = (m: unknown): m is Record<string, unknown> =>
  typeof m === "object" && m !== null && TAG in m;

/** What a message sealed as one of `kinds` under `key` carries (with its JSON), or undefined for any other message. */
function opened(m: unknown, key: Buffer | undefined, kinds: readonly Kind[]) {
  if (!isEnvelope(m) || !Number.isSafeInteger(m.seq)) return undefined;
  const kind = m[TAG] as Kind;
  if (!kinds.includes(kind)) return undefined;
  const carried = kind === "request" ? m.request : m.message;
  let json: string | undefined;
  try {
    json = JSON.stringify(carried);
  } catch {
    return undefined;
  }
  const seq = m.seq as number;
  if (json === undefined || !sealed(key, m.mac, kind, seq, json)) return undefined;
  return { kind, seq, carried, json };
}

let sequence = 0;

/**
 * A worker says it is ready once its control listens, which is after it
 * replayed the cluster's bundles (catchUp.ts). Until then a request sent to
 * it would be dropped (nothing listens yet) or answered by a release that is
 * not yet the cluster's, and the caller would wait for the time-out.
 */
const isReady = (m: unknown, pid: number | undefined): boolean =>
  isEnvelope(m) && m[TAG] === "ready" && sealed(primaryClusterKey(), m.mac, "ready", pid ?? -1);

/**
 * In the primary: the workers forked while it watched that have not yet
 * said they are ready. A worker forked before (never watched) is taken as
 * ready, as before workers said so.
 */
export class StartingWorkers {
  readonly #starting = new WeakSet<Worker>();

  watch(worker: Worker): void {
    this.#starting.add(worker);
    const onMessage = (m: unknown) => {
      if (!isReady(m, worker.process.pid)) return;
      this.#starting.delete(worker);
      worker.off("message", onMessage);
    };
    worker.on("message", onMessage);
  }

  has(worker: Worker): boolean {
    return this.#starting.has(worker);
  }
}

/** The running workers of `node:cluster`, as participants. */
export function runningWorkers(
  timeoutMs: number,
  onProgress: (pid: number, m: ControlMessage) => void,
  starting: StartingWorkers,
): Participant[] {
  return Object.values(cluster.workers ?? {})
    .filter((w) => w?.isConnected() && !w.isDead())
    .map((w) => workerParticipant(w!, timeoutMs, onProgress, starting));
}

/** A worker as a participant of the primary's transactions; a request to a starting worker waits for its ready. */
export function workerParticipant(
  worker: Worker,
  timeoutMs: number,
  onProgress: (pid: number, message: ControlMessage) => void = () => {},
  starting?: StartingWorkers,
): Participant {
  const pid = worker.process.pid ?? -1;
  // A worker that is gone emits no "exit" any more: asked, it would leave the call to its time-out.
  const alive = () => worker.isDead?.() !== true && worker.isConnected?.() !== false;
  return {
    pid,
    alive,
    call: (request, callTimeoutMs = timeoutMs) =>
      callWorker(worker, request, {
        pid,
        alive,
        timeoutMs: callTimeoutMs,
        onProgress,
        starting: starting?.has(worker) === true,
      }),
  };
}

interface CallOptions {
  readonly pid: number;
  readonly alive: () => boolean;
  readonly timeoutMs: number;
  readonly onProgress: (pid: number, message: ControlMessage) => void;
  /** Not yet ready: the request is sent when the worker says it is. */
  readonly starting: boolean;
}

function callWorker(
  worker: Worker,
  request: ControlRequest,
  { pid, alive, timeoutMs, onProgress, starting }: CallOptions,
): Promise<ControlMessage> {
  const seq = ++sequence;
  return new Promise<ControlMessage>((resolve) => {
    let waitingReady = starting;
    const finish = (message: ControlMessage) => {
      clearTimeout(timer);
      worker.off("message", listen);
      worker.off("exit", exited);
      resolve(message);
    };
    const refuse = (error: Error) =>
      finish({ type: "error", command: request.command, ...wireError(error) });
    const listen = (m: unknown) => {
      if (waitingReady && isReady(m, pid)) {
        waitingReady = false;
        transmit();
        return;
      }
      const answer = opened(m, primaryClusterKey(), ["progress", "answer"]);
      if (answer?.seq !== seq) return;
      const message = answer.carried as ControlMessage;
      if (answer.kind === "progress") onProgress(pid, message);
      else finish(message);
    };
    const exited = () =>
      refuse(
        new WorkerExitedError(
          `worker ${pid} exited before answering ${request.command}${waitingReady ? " (it had not finished starting)" : ""}`,
          { pid },
        ),
      );
    const timer = setTimeout(
      () =>
        refuse(
          new ControlTimeoutError(
            waitingReady
              ? `worker ${pid} did not finish starting (replaying the cluster's release and opening its control) within ${timeoutMs} ms, so it was not asked to ${request.command}`
              : `worker ${pid} did not answer ${request.command} within ${timeoutMs} ms`,
            { pid, timeoutMs },
          ),
        ),
      timeoutMs,
    );
    const unreachable = (error: Error) =>
      refuse(
        new WorkerExitedError(
          `worker ${pid} cannot be reached for ${request.command}: ${error.message}`,
          { pid },
        ),
      );
    const transmit = () => {
      try {
        // With a callback, a closed channel is reported here; without one Node emits
        // "error" on the Worker, which nobody listens to, and the primary dies of it.
        worker.send(envelope(primaryClusterKey(), "request", seq, request), (error) => {
          if (error) unreachable(error);
        });
      } catch (error) {
        unreachable(error as Error);
      }
    };
    if (!alive()) {
      unreachable(new Error("it has exited"));
      return;
    }
    worker.on("message", listen);
    worker.once("exit", exited);
    if (!waitingReady) transmit();
  });
}

/** Where a worker's requests come from: its process (a stand-in in tests). */
export interface WorkerChannel {
  readonly pid: number;
  readonly connected?: boolean;
  on(event: "message", listener: (m: unknown) => void): unknown;
  off(event: "message", listener: (m: unknown) => void): unknown;
  send?(message: unknown): unknown;
}

/**
 * In a worker: answers the primary's requests with this process's own
 * control, and tells the primary it is ready — so call it once the worker
 * runs the cluster's release (after its replay). Only a request sealed with
 * the key its primary handed it is one, each sequence number once and in
 * order: anything else — a message of the program's, or one it passed on —
 * is left to the program, unanswered. Without a key (a primary that is not
 * metamorph's) no request is taken.
 */
export function serveWorker(
  handler: ControlHandler,
  channel: WorkerChannel = process,
  key: Buffer | undefined = workerClusterKey,
): () => void {
  let lastSeq = 0;
  const send = (kind: "progress" | "answer", seq: number, message: ControlMessage) => {
    if (channel.connected && key) channel.send?.(envelope(key, kind, seq, message));
  };
  const onMessage = (m: unknown) => {
    const sent = opened(m, key, ["request"]);
    if (sent === undefined || sent.seq <= lastSeq) return;
    const { seq } = sent;
    lastSeq = seq;
    let request: ControlRequest;
    try {
      // The channel is the primary's, but a request is read as strictly as from the socket.
      request = parseRequest(sent.json);
    } catch (error) {
      send("answer", seq, { type: "error", ...wireError(error) });
      return;
    }
    handler
      .handle(request, (message) => send("progress", seq, message))
      .then(
        (message) => send("answer", seq, message),
        (error) =>
          send("answer", seq, { type: "error", command: request.command, ...wireError(error) }),
      );
  };
  channel.on("message", onMessage);
  // Only now: the primary holds back its requests until it reads this.
  if (channel.connected && key)
    channel.send?.({ [TAG]: "ready", mac: seal(key, "ready", channel.pid) });
  return () => channel.off("message", onMessage);
}
