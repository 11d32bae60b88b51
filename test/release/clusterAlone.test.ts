/**
 * A cluster's primary with no worker running (ClusterControl, stand-in
 * workers): before the program ever had a worker it answers for itself and
 * logs what it commits, so a worker forked later catches up; once it has
 * had workers, a change with none running is refused, since no worker
 * would get it.
 */
import { describe, expect, test } from "vitest";
import { ReleaseLog } from "../../src/release/catchUp.js";
import { ClusterControl } from "../../src/release/cluster.js";
import type { ControlRequest } from "../../src/release/index.js";
import { generateKeys, packBundle } from "../../src/release/index.js";
import { LocalControl } from "../../src/release/localControl.js";
import { releaseTarget } from "../../src/release/server.js";
import type { Participant } from "../../src/release/transaction.js";
import { release, service } from "./support.js";

const keys = generateKeys();

function primary() {
  const s = service();
  const local = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" }),
  );
  const workers: Participant[] = [];
  const log = new ReleaseLog();
  const cluster = new ClusterControl(local, { log, participants: () => [...workers] });
  const ask = (request: ControlRequest) => cluster.handle(request, () => {});
  return { ...s, workers, log, ask };
}

const bundle = (n: 2 | 3, from: string, to: string) =>
  packBundle(release(n), { fromVersion: from, toVersion: to, namespace: "shop" }, keys.privateKey);

describe("a cluster's primary with no worker running", () => {
  test("never had a worker: it applies for itself and logs the bundle, so a worker forked later catches up", async () => {
    const { counter, log, ask } = primary();
    const v2 = bundle(2, "1", "2");
    expect(await ask({ command: "apply", bundle: v2 })).toMatchObject({ ok: true, version: "2" });
    expect(counter.label()).toBe("v2:7");
    expect(log.catchUp.bundles).toEqual([v2]);
    const v3 = bundle(3, "2", "3");
    const prepared = await ask({ command: "prepare", bundle: v3 });
    await ask({ command: "commit", id: String((prepared as { id?: unknown }).id) });
    expect(log.catchUp.bundles).toEqual([v2, v3]);
    expect(await ask({ command: "rollback" })).toMatchObject({ ok: true, version: "2" });
    expect(log.catchUp.bundles).toEqual([v2]);
  });

  test("had workers, none running now: a change is refused with MM_CLUSTER_REFUSED, nothing applied or logged", async () => {
    const { counter, workers, log, ask } = primary();
    workers.push({
      pid: 11,
      call: async (request) => ({
        type: "result",
        ok: true,
        command: request.command,
        version: "1",
      }),
    });
    await ask({ command: "status" });
    workers.length = 0;
    await expect(ask({ command: "apply", bundle: bundle(2, "1", "2") })).rejects.toMatchObject({
      code: "MM_CLUSTER_REFUSED",
      message: expect.stringContaining("no worker is running"),
    });
    expect(counter.label()).toBe("v1:7");
    expect(log.catchUp.bundles).toEqual([]);
    expect(await ask({ command: "status" })).toMatchObject({ ok: true, version: "1" });
  });
});
