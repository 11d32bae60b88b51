/**
 * A request that waits for its turn behind another (ClusterControl,
 * stand-in workers) goes to the workers running when its turn comes: a
 * worker forked while the request before it ran — which read the cluster's
 * list before that request committed — is asked too, instead of being left
 * out and so on another release than the others.
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
const v2 = packBundle(
  release(2),
  { fromVersion: "1", toVersion: "2", namespace: "shop" },
  keys.privateKey,
);

function worker(pid: number, beforePrepare: Promise<void> = Promise.resolve()) {
  const s = service();
  const local = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" }),
  );
  const asked: string[] = [];
  const p: Participant = {
    pid,
    async call(request: ControlRequest): Promise<ControlMessage> {
      asked.push(request.command);
      if (request.command === "prepare") await beforePrepare;
      return local
        .handle(request, () => {})
        .catch((error: unknown) => ({ type: "error" as const, ...wireError(error) }));
    },
  };
  return { ...s, local, asked, p };
}

test("a rollback queued behind an apply goes to the worker forked while the apply ran", async () => {
  let letPrepare = () => {};
  const first = worker(1, new Promise<void>((go) => (letPrepare = go)));
  const running: Participant[] = [first.p];
  const s = service();
  const primary = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" }),
  );
  const control = new ClusterControl(primary, {
    log: new ReleaseLog(),
    participants: () => [...running],
  });
  const ask = (request: ControlRequest) =>
    control.handle(request, () => {}) as Promise<Readonly<Record<string, unknown>>>;

  const applied = ask({ command: "apply", bundle: v2 });
  const rolledBack = ask({ command: "rollback" });
  // Forked while the apply runs: it replays the cluster's release, 2 (its catch-up).
  const forked = worker(2);
  await forked.local.handle({ command: "apply", bundle: v2 }, () => {});
  running.push(forked.p);
  letPrepare();

  expect(await applied).toMatchObject({ ok: true, version: "2" });
  const answer = await rolledBack;
  expect(answer).toMatchObject({ ok: true, version: "1" });
  expect((answer.workers as { pid: number }[]).map((w) => w.pid)).toEqual([1, 2]);
  // Its release first (a rollback never takes a worker below the cluster's previous release), then the rollback.
  expect(forked.asked).toEqual(["status", "rollback"]);
  expect([first.counter.label(), forked.counter.label()]).toEqual(["v1:7", "v1:7"]);
});
