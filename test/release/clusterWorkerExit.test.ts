/**
 * A cluster update prepared, then a worker exits (or a new one starts)
 * before the commit (ClusterControl, stand-in workers): the commit is
 * refused with MM_CLUSTER_REFUSED naming the worker (MM_WORKER_EXITED), the
 * workers still prepared are aborted — none committed and rolled back — and
 * nothing changed.
 */
import { expect, test } from "vitest";
import { ReleaseLog } from "../../src/release/catchUp.js";
import { ClusterControl } from "../../src/release/cluster.js";
import type { ControlMessage, ControlRequest } from "../../src/release/index.js";
import { generateKeys, packBundle } from "../../src/release/index.js";
import { LocalControl } from "../../src/release/localControl.js";
import { releaseTarget } from "../../src/release/server.js";
import type { Participant } from "../../src/release/transaction.js";
import { release, service } from "./support.js";

const keys = generateKeys();

function worker(pid: number) {
  const s = service();
  const local = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" }),
  );
  const state = { dead: false };
  const p: Participant = {
    pid,
    alive: () => !state.dead,
    async call(request: ControlRequest): Promise<ControlMessage> {
      if (state.dead) {
        return {
          type: "error",
          code: "MM_WORKER_EXITED",
          name: "WorkerExitedError",
          message: `worker ${pid} exited`,
        };
      }
      return local.handle(request, () => {});
    },
  };
  return { ...s, local, state, p };
}

function cluster(workers: ReturnType<typeof worker>[]) {
  const s = service();
  const local = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" }),
  );
  const log = new ReleaseLog();
  const running = () => workers.filter((w) => !w.state.dead).map((w) => w.p);
  const control = new ClusterControl(local, { log, participants: running });
  return { log, ask: (request: ControlRequest) => control.handle(request, () => {}) };
}

const v2 = () =>
  packBundle(release(2), { fromVersion: "1", toVersion: "2", namespace: "shop" }, keys.privateKey);

type Answer = Readonly<Record<string, unknown>> & { workers?: { pid: number; outcome: string }[] };

test("a worker exits after the prepare: the commit is refused, the others aborted, nothing changed", async () => {
  const workers = [worker(1), worker(2), worker(3)];
  const { log, ask } = cluster(workers);
  const prepared = (await ask({ command: "prepare", bundle: v2() })) as Answer;
  expect(prepared.ok).toBe(true);
  workers[1]!.state.dead = true;
  const answer = (await ask({ command: "commit", id: String(prepared.id) })) as Answer;
  expect(answer).toMatchObject({
    ok: false,
    status: "refused",
    error: { code: "MM_CLUSTER_REFUSED", message: expect.stringContaining("MM_WORKER_EXITED") },
  });
  expect(answer.workers?.map((w) => [w.pid, w.outcome])).toEqual([
    [1, "aborted"],
    [3, "aborted"],
    [2, "failed"],
  ]);
  for (const w of [workers[0]!, workers[2]!]) {
    expect(w.counter.label()).toBe("v1:7");
    expect(w.local.target.history.releases().map((e) => e.state)).not.toContain("rolled-back");
    expect(w.local.prepared.waiting).toBeUndefined();
  }
  expect(log.catchUp.bundles).toEqual([]);
  expect(await ask({ command: "status" })).toMatchObject({ ok: true, version: "1" });
});

test("a worker started after the prepare: the commit is refused, nothing changed", async () => {
  const workers = [worker(1), worker(2)];
  const { log, ask } = cluster(workers);
  const prepared = (await ask({ command: "prepare", bundle: v2() })) as Answer;
  workers.push(worker(4));
  const answer = (await ask({ command: "commit", id: String(prepared.id) })) as Answer;
  expect(answer).toMatchObject({ ok: false, error: { code: "MM_CLUSTER_REFUSED" } });
  expect(String(answer.reason)).toContain("worker 4 started after the prepare");
  for (const w of workers) expect(w.counter.label()).toBe("v1:7");
  expect(log.catchUp.bundles).toEqual([]);
});
