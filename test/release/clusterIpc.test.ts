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
