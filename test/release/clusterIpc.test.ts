/**
 * A cluster worker as a participant (clusterIpc.ts): a worker that exits
 * before answering is reported as exited (MM_WORKER_EXITED), not as a
 * time-out; one whose channel is closed as well. A worker forked while the
 * primary watches is asked only once it said it is ready.
 */
import type { Worker } from "node:cluster";
import { EventEmitter } from "node:events";
import { expect, test } from "vitest";
import { StartingWorkers, workerParticipant } from "../../src/release/clusterIpc.js";
import { primaryClusterKey, seal } from "../../src/release/clusterKey.js";

function fakeWorker(send: () => void): Worker {
  return Object.assign(new EventEmitter(), { process: { pid: 4242 }, send }) as unknown as Worker;
}

test("a worker that exits before answering is MM_WORKER_EXITED, at once", async () => {
  const worker = fakeWorker(() => {});
  const answer = workerParticipant(worker, 60_000).call({ command: "status" });
  worker.emit("exit", 1, null);
  expect(await answer).toMatchObject({
    type: "error",
    code: "MM_WORKER_EXITED",
    message: "worker 4242 exited before answering status",
  });
});

test("a worker whose channel is closed is MM_WORKER_EXITED", async () => {
  const worker = fakeWorker(() => {
    throw Object.assign(new Error("Channel closed"), { code: "ERR_IPC_CHANNEL_CLOSED" });
  });
  expect(await workerParticipant(worker, 60_000).call({ command: "status" })).toMatchObject({
    type: "error",
    code: "MM_WORKER_EXITED",
  });
});

/** Node's own way: a closed channel goes to send's callback, or else is an "error" event on the Worker. */
function closedWorker(state: { dead?: boolean } = {}): Worker {
  const worker = new EventEmitter();
  const send = (_m: unknown, callback?: unknown) => {
    const error = Object.assign(new Error("Channel closed"), { code: "ERR_IPC_CHANNEL_CLOSED" });
    if (typeof callback === "function") process.nextTick(callback, error);
    else process.nextTick(() => worker.emit("error", error));
    return false;
  };
  return Object.assign(worker, {
    process: { pid: 4243 },
    send,
    isDead: () => state.dead === true,
    isConnected: () => state.dead !== true,
  }) as unknown as Worker;
}

test("a send on a closed channel is MM_WORKER_EXITED, never an 'error' event that would kill the primary", async () => {
  const worker = closedWorker();
  expect(
    await workerParticipant(worker, 60_000).call({ command: "commit", id: "x" }),
  ).toMatchObject({ type: "error", code: "MM_WORKER_EXITED" });
});

test("a worker that exited before it was asked is MM_WORKER_EXITED at once, not at the time-out", async () => {
  const worker = closedWorker({ dead: true });
  const participant = workerParticipant(worker, 600_000);
  expect(participant.alive?.()).toBe(false);
  expect(await participant.call({ command: "abort", id: "x" })).toMatchObject({
    type: "error",
    code: "MM_WORKER_EXITED",
  });
});

/** A worker that records what it is sent, and answers each request when told to. */
function recordingWorker(pid: number) {
  const sent: { seq: number; request: { command: string } }[] = [];
  const worker = Object.assign(new EventEmitter(), {
    process: { pid },
    send: (m: { seq: number; request: { command: string } }, callback?: () => void) => {
      sent.push(m);
      callback?.();
      return true;
    },
  }) as unknown as Worker & EventEmitter;
  const answerAll = () => {
    for (const { seq, request } of sent.splice(0)) {
      const message = { type: "result", ok: true, command: request.command, version: "2.0.0" };
      worker.emit("message", {
        "metamorph.control": "answer",
        seq,
        message,
        mac: seal(primaryClusterKey(), "answer", seq, JSON.stringify(message)),
      });
    }
  };
  return { worker, sent, answerAll };
}

/** As a worker says it: sealed with the cluster's key and its pid. */
const ready = (pid: number) => ({
  "metamorph.control": "ready",
  mac: seal(primaryClusterKey(), "ready", pid),
});

test("a request for a worker forked but not yet ready is sent when it says it is ready, not lost", async () => {
  const starting = new StartingWorkers();
  const { worker, sent, answerAll } = recordingWorker(4244);
  starting.watch(worker);
  const answer = workerParticipant(worker, 600_000, () => {}, starting).call({
    command: "status",
  });
  worker.emit("message", { something: "of the program's own" });
  expect(sent).toHaveLength(0);
  worker.emit("message", { "metamorph.control": "ready" });
  expect(sent).toHaveLength(0);
  worker.emit("message", ready(4244));
  expect(sent.map((m) => m.request.command)).toEqual(["status"]);
  answerAll();
  expect(await answer).toMatchObject({ type: "result", ok: true, version: "2.0.0" });
  expect(starting.has(worker)).toBe(false);
  // Once ready, a request goes at once.
  const next = workerParticipant(worker, 600_000, () => {}, starting).call({ command: "rollback" });
  expect(sent.map((m) => m.request.command)).toEqual(["rollback"]);
  answerAll();
  expect(await next).toMatchObject({ ok: true, command: "rollback" });
});

test("a worker that exits before it is ready is MM_WORKER_EXITED at once, saying it was starting", async () => {
  const starting = new StartingWorkers();
  const { worker, sent } = recordingWorker(4245);
  starting.watch(worker);
  const answer = workerParticipant(worker, 600_000, () => {}, starting).call({
    command: "apply",
    bundle: "{}",
  });
  worker.emit("exit", 1, null);
  expect(await answer).toMatchObject({
    type: "error",
    code: "MM_WORKER_EXITED",
    message: "worker 4245 exited before answering apply (it had not finished starting)",
  });
  expect(sent).toHaveLength(0);
});

test("a worker that never gets ready is MM_CONTROL_TIMEOUT saying it did not finish starting", async () => {
  const starting = new StartingWorkers();
  const { worker, sent } = recordingWorker(4246);
  starting.watch(worker);
  const answer = workerParticipant(worker, 20, () => {}, starting).call({ command: "status" });
  expect(await answer).toMatchObject({
    type: "error",
    code: "MM_CONTROL_TIMEOUT",
    message: expect.stringMatching(
      /^worker 4246 did not finish starting .* so it was not asked to status$/,
    ),
  });
  expect(sent).toHaveLength(0);
});

test("a worker the primary did not see forked is asked at once, as before workers said they were ready", async () => {
  const starting = new StartingWorkers();
  const { worker, sent, answerAll } = recordingWorker(4247);
  const answer = workerParticipant(worker, 600_000, () => {}, starting).call({ command: "status" });
  expect(sent).toHaveLength(1);
  answerAll();
  expect(await answer).toMatchObject({ ok: true });
});
