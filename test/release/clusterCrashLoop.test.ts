/**
 * The way back from a release that crashes a cluster's workers
 * (ClusterControl, stand-in workers): each re-forked worker replays the
 * logged bundle and dies, so a rollback meets workers that exit while
 * asked, or none at all. The rollback still goes through — the workers
 * still running roll back and the log drops the bundle, so the next worker
 * forked starts on the release before — and status always answers, one
 * line per worker.
 */
import { expect, test } from "vitest";
import { ReleaseLog } from "../../src/release/catchUp.js";
import { ClusterControl } from "../../src/release/cluster.js";
import type { ControlMessage, ControlRequest } from "../../src/release/index.js";
import { generateKeys, packBundle } from "../../src/release/index.js";
import { LocalControl } from "../../src/release/localControl.js";
import { wireError } from "../../src/release/protocol.js";
import { releaseTarget } from "../../src/release/server.js";
import type { Participant } from "../../src/release/transaction.js";
import { release, service } from "./support.js";

const keys = generateKeys();

function worker(pid: number) {
  const s = service();
  const local = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" }),
  );
  const state = { dead: false, diesWhenAsked: false };
  const p: Participant = {
    pid,
    alive: () => !state.dead,
    async call(request: ControlRequest): Promise<ControlMessage> {
      if (state.diesWhenAsked) state.dead = true;
      if (state.dead) {
        return {
          type: "error",
          code: "MM_WORKER_EXITED",
          name: "WorkerExitedError",
          message: `worker ${pid} exited before answering ${request.command}`,
        };
      }
      // As a worker's IPC answers: a rejection is an error line.
      return local
        .handle(request, () => {})
        .catch((error: unknown) => ({ type: "error" as const, ...wireError(error) }));
    },
  };
  return { ...s, local, state, p };
}

function primary(workers: ReturnType<typeof worker>[]) {
  const s = service();
  const local = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" }),
  );
  const log = new ReleaseLog();
  const running = () => workers.filter((w) => !w.state.dead).map((w) => w.p);
  const control = new ClusterControl(local, { log, participants: running });
  const ask = (request: ControlRequest) =>
    control.handle(request, () => {}) as Promise<Readonly<Record<string, unknown>>>;
  return { log, ask };
}

const v2 = packBundle(
  release(2),
  { fromVersion: "1", toVersion: "2", namespace: "shop" },
  keys.privateKey,
);

test("a worker exits while the cluster rolls back: the others roll back, the log drops the bundle", async () => {
  const workers = [worker(1), worker(2)];
  const { log, ask } = primary(workers);
  expect(await ask({ command: "apply", bundle: v2 })).toMatchObject({ ok: true });
  expect(log.catchUp.bundles).toEqual([v2]);
  workers[1]!.state.diesWhenAsked = true;
  const answer = await ask({ command: "rollback" });
  expect(answer).toMatchObject({ ok: true, version: "1" });
  expect(workers[0]!.counter.label()).toBe("v1:7");
  // The next worker forked replays nothing: it starts on release 1.
  expect(log.catchUp.bundles).toEqual([]);
  const status = await ask({ command: "status" });
  expect(status).toMatchObject({ ok: true, catchUp: { version: "1", bundles: 0 } });
});

test("no worker running any more: the rollback rolls the log back, so workers forked from now on start on the release before", async () => {
  const workers = [worker(1), worker(2)];
  const { log, ask } = primary(workers);
  await ask({ command: "apply", bundle: v2 });
  for (const w of workers) w.state.dead = true;
  const status = await ask({ command: "status" });
  expect(status).toMatchObject({ ok: true, workers: [], catchUp: { version: "2", bundles: 1 } });
  expect(await ask({ command: "rollback" })).toMatchObject({ ok: true, version: "1" });
  expect(log.catchUp.bundles).toEqual([]);
  await expect(ask({ command: "rollback" })).rejects.toMatchObject({
    code: "MM_CLUSTER_REFUSED",
  });
});

test("status answers while a worker cannot: that worker's line says why, and the cluster does not agree", async () => {
  const workers = [worker(1), worker(2)];
  const { ask } = primary(workers);
  workers[1]!.state.diesWhenAsked = true;
  const status = await ask({ command: "status" });
  expect(status).toMatchObject({
    ok: true,
    agreed: false,
    workers: [
      { pid: 1, ok: true, version: "1" },
      { pid: 2, type: "error", code: "MM_WORKER_EXITED" },
    ],
  });
});

test("a rollback a worker refuses answers with the reason (MM_CLUSTER_REFUSED naming the worker); the log keeps the bundle", async () => {
  const workers = [worker(1), worker(2)];
  const { log, ask } = primary(workers);
  await ask({ command: "apply", bundle: v2 });
  workers[1]!.local.target.history.makePermanent();
  const answer = await ask({ command: "rollback" });
  expect(answer).toMatchObject({ ok: false, error: { code: "MM_CLUSTER_REFUSED" } });
  expect(String(answer.reason)).toMatch(/worker 2 failed: MM_RELEASE_STATE/);
  expect(log.catchUp.bundles).toEqual([v2]);
});
