/**
 * A late `--commit` of a cluster update that expired (ClusterControl,
 * stand-in workers) says so, as a process on its own does (production.md
 * §13): MM_PREPARED_UNKNOWN with `details.expired: true` and "it expired and
 * was aborted" — before, the cluster said "never prepared here, committed or
 * aborted already, or expired" with details { id } only (advZ4). An id the
 * cluster never had says `expired: false`.
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

test("a commit after the cluster update expired: MM_PREPARED_UNKNOWN with details.expired, every worker aborted", async () => {
  const workers = [worker(1), worker(2)];
  const s = service();
  const primary = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" }),
  );
  const control = new ClusterControl(primary, {
    log: new ReleaseLog(),
    participants: () => workers.map((w) => w.p),
  });
  const ask = (request: ControlRequest) =>
    control.handle(request, () => {}) as Promise<Readonly<Record<string, unknown>>>;
  const prepared = await ask({ command: "prepare", bundle: v2, expiresInMs: 30 });
  expect(prepared).toMatchObject({ ok: true });
  const id = String(prepared.id);
  // Until the cluster's own expiry has aborted every worker's prepared update.
  const deadline = Date.now() + 10_000;
  while (workers.some((w) => w.local.prepared.waiting) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  expect(workers.map((w) => w.local.prepared.waiting)).toEqual([undefined, undefined]);
  await expect(ask({ command: "commit", id })).rejects.toMatchObject({
    code: "MM_PREPARED_UNKNOWN",
    message: expect.stringContaining("it expired and was aborted"),
    details: { id, expired: true },
  });
  await expect(ask({ command: "commit", id: "never-prepared" })).rejects.toMatchObject({
    code: "MM_PREPARED_UNKNOWN",
    details: { id: "never-prepared", expired: false },
  });
  expect(workers.map((w) => w.counter.label())).toEqual(["v1:7", "v1:7"]);
  control.close();
});
