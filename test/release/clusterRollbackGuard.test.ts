/**
 * A cluster's rollback never leaves a worker on a release other than the
 * one the cluster returns to (ClusterControl, stand-in workers): the
 * primary asks every worker its release first. A worker already on that
 * release (it rolled back by itself, say) is left there; a worker on any
 * other release makes the whole rollback refused with nothing rolled back
 * (MM_CLUSTER_REFUSED naming it) — before, it was rolled back one further,
 * and a split cluster came out of `rollback` on 2.0.0, 2.0.0 and 1.0.0 with
 * ok: true (advZ4). `permanent` is refused the same way.
 */
import fc from "fast-check";
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
const bundle = (n: 2 | 3) =>
  packBundle(
    release(n),
    { fromVersion: String(n - 1), toVersion: String(n), namespace: "shop" },
    keys.privateKey,
  );
const v2 = bundle(2);
const v3 = bundle(3);

function worker(pid: number) {
  const s = service();
  const local = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" }),
  );
  const p: Participant = {
    pid,
    call: (request: ControlRequest): Promise<ControlMessage> =>
      local
        .handle(request, () => {})
        .catch((error: unknown) => ({ type: "error" as const, ...wireError(error) })),
  };
  return { ...s, local, p };
}

/** A cluster of `count` workers on release 3 (the log holds 2 and 3). */
async function clusterOn3(count: number) {
  const workers = Array.from({ length: count }, (_, i) => worker(i + 1));
  const s = service();
  const local = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" }),
  );
  const log = new ReleaseLog();
  const control = new ClusterControl(local, { log, participants: () => workers.map((w) => w.p) });
  const ask = (request: ControlRequest) =>
    control.handle(request, () => {}) as Promise<Readonly<Record<string, unknown>>>;
  expect(await ask({ command: "apply", bundle: v2 })).toMatchObject({ ok: true });
  expect(await ask({ command: "apply", bundle: v3 })).toMatchObject({ ok: true });
  return { workers, log, ask };
}

const labels = (workers: readonly { counter: { label(): string } }[]) =>
  workers.map((w) => w.counter.label());

test("a worker already on the release the cluster returns to is left there; the others roll back to it", async () => {
  const { workers, log, ask } = await clusterOn3(2);
  workers[1]!.local.target.history.rollback("its health window");
  const answer = await ask({ command: "rollback" });
  expect(answer).toMatchObject({ ok: true, version: "2" });
  expect(labels(workers)).toEqual(["v2:7", "v2:7"]);
  expect(log.catchUp.bundles).toEqual([v2]);
});

test("a worker on another release: the rollback is refused naming it, and nothing is rolled back", async () => {
  const { workers, log, ask } = await clusterOn3(3);
  workers[2]!.local.target.history.rollback();
  workers[2]!.local.target.history.rollback();
  const answer = await ask({ command: "rollback" });
  expect(answer).toMatchObject({ ok: false, error: { code: "MM_CLUSTER_REFUSED" } });
  expect(String(answer.reason)).toMatch(/worker 3 .*runs 1, not the cluster's release 3/);
  expect(labels(workers)).toEqual(["v3:7", "v3:7", "v1:7"]);
  expect(log.catchUp.bundles).toEqual([v2, v3]);
  const permanent = await ask({ command: "permanent" });
  expect(permanent).toMatchObject({ ok: false, error: { code: "MM_CLUSTER_REFUSED" } });
  expect(workers[0]!.local.target.history.status().releases.at(-1)).toMatchObject({
    version: "3",
    state: "current",
  });
});

test("whatever releases the workers were left on, a rollback ends every worker on the release before, or changes none", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom(1, 2, 3), { minLength: 1, maxLength: 4 }),
      async (releases) => {
        const { workers, log, ask } = await clusterOn3(releases.length);
        releases.forEach((r, i) => {
          for (let n = 3; n > r; n--) workers[i]!.local.target.history.rollback();
        });
        const before = labels(workers);
        const answer = await ask({ command: "rollback" });
        if (releases.every((r) => r !== 1)) {
          expect(answer).toMatchObject({ ok: true, version: "2" });
          expect(labels(workers)).toEqual(releases.map(() => "v2:7"));
          expect(log.catchUp.bundles).toEqual([v2]);
        } else {
          expect(answer).toMatchObject({ ok: false, error: { code: "MM_CLUSTER_REFUSED" } });
          expect(labels(workers)).toEqual(before);
          expect(log.catchUp.bundles).toEqual([v2, v3]);
        }
      },
    ),
    { seed: 20261207, numRuns: 40 },
  );
});
