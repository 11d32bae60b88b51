/**
 * A cluster worker as a participant (clusterIpc.ts): a worker that exits
 * before answering is reported as exited (MM_WORKER_EXITED), not as a
 * time-out; one whose channel is closed as well.
 */
import type { Worker } from "node:cluster";
import { EventEmitter } from "node:events";
import { expect, test } from "vitest";
import { workerParticipant } from "../../src/release/clusterIpc.js";

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
