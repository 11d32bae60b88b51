/**
 * A cluster update that commits with warnings (stand-in workers answering
 * as a worker's LocalControl does): each worker's line keeps its warnings,
 * and the cluster's answer says each warning once with the workers that
 * gave it, so `metamorph apply` can print them.
 */
import { expect, test } from "vitest";
import { ClusterControl } from "../../src/release/cluster.js";
import type { ControlMessage, ControlRequest } from "../../src/release/index.js";
import { generateKeys, packBundle } from "../../src/release/index.js";
import { LocalControl } from "../../src/release/localControl.js";
import { releaseTarget } from "../../src/release/server.js";
import type { Participant } from "../../src/release/transaction.js";
import { release, service } from "./support.js";

const keys = generateKeys();
const stale = {
  code: "MM_STALE_CLOSURE",
  className: "Counter",
  message: "a closure calls tick(), which the new version no longer has",
};

const worker = (pid: number): Participant => ({
  pid,
  async call(request: ControlRequest): Promise<ControlMessage> {
    if (request.command === "prepare")
      return { type: "result", ok: true, command: "prepare", id: `p${pid}`, fromVersion: "1" };
    return {
      type: "result",
      ok: true,
      command: request.command,
      status: "committed",
      version: "2",
      warnings: [stale],
    } as ControlMessage;
  },
});

test("every worker's warnings reach the cluster's answer, each said once with its workers", async () => {
  const s = service();
  const local = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" }),
  );
  const control = new ClusterControl(local, { participants: () => [worker(1), worker(2)] });
  const bundle = packBundle(
    release(2),
    { fromVersion: "1", toVersion: "2", namespace: "shop" },
    keys.privateKey,
  );
  const answer = (await control.handle({ command: "apply", bundle }, () => {})) as Readonly<
    Record<string, unknown>
  >;
  expect(answer).toMatchObject({
    ok: true,
    warnings: [{ ...stale, workers: [1, 2] }],
    workers: [
      { pid: 1, warnings: [stale] },
      { pid: 2, warnings: [stale] },
    ],
  });
});
