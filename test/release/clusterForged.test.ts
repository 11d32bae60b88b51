/**
 * A worker takes a control request only sealed with the key its primary
 * handed it (clusterKey.ts), each sequence number once: a message of the
 * program's that looks like metamorph's — what advZ21 relayed,
 * `{"metamorph.control":"request","seq":1,"request":{"command":"rollback"}}`,
 * with any seal made up, or a real request passed on again — changes
 * nothing and is answered nothing. The primary's own requests still work.
 * (serveWorker over a stand-in channel, workerParticipant over a stand-in
 * Worker, with the process's real control behind.)
 */
import { EventEmitter } from "node:events";
import type { Worker } from "node:cluster";
import fc from "fast-check";
import { expect, test } from "vitest";
import { serveWorker, workerParticipant } from "../../src/release/clusterIpc.js";
import type { WorkerChannel } from "../../src/release/clusterIpc.js";
import { primaryClusterKey, seal } from "../../src/release/clusterKey.js";
import { generateKeys, packBundle } from "../../src/release/index.js";
import { LocalControl } from "../../src/release/localControl.js";
import { releaseTarget } from "../../src/release/server.js";
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

/** As Node's IPC channel gives a message: a JSON copy, a turn later. */
const copy = (m: unknown) => JSON.parse(JSON.stringify(m)) as unknown;
const later = () => new Promise((r) => setImmediate(r));

/**
 * A worker on release 3 serving its primary over a stand-in channel: what
 * the primary sends, and what the program relays, arrive in its "message"
 * listeners; what it sends goes to the primary's Worker object (and is listed).
 */
async function workerOn3(key: Buffer | null = primaryClusterKey()) {
  const s = service();
  const local = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" }),
  );
  for (const b of [v2, v3]) await local.handle({ command: "apply", bundle: b }, () => {});
  const inWorker = new EventEmitter();
  const toPrimary: unknown[] = [];
  const toWorker: unknown[] = [];
  const primarySide = Object.assign(new EventEmitter(), {
    process: { pid: 5150 },
    isDead: () => false,
    isConnected: () => true,
    send: (m: unknown, callback?: (error: Error | null) => void) => {
      toWorker.push(m);
      const c = copy(m);
      setImmediate(() => inWorker.emit("message", c));
      callback?.(null);
      return true;
    },
  });
  const channel: WorkerChannel = {
    pid: 5150,
    connected: true,
    on: (event, listener) => inWorker.on(event, listener),
    off: (event, listener) => inWorker.off(event, listener),
    send: (m: unknown) => {
      toPrimary.push(m);
      const c = copy(m);
      setImmediate(() => primarySide.emit("message", c));
      return true;
    },
  };
  serveWorker(local, channel, key ?? undefined);
  const progress: unknown[] = [];
  const participant = workerParticipant(primarySide as unknown as Worker, 30_000, (_pid, m) =>
    progress.push(m),
  );
  /** The program passes `m` on to the worker. */
  const relay = async (m: unknown) => {
    inWorker.emit("message", copy(m));
    await later();
    await later();
  };
  return { ...s, local, participant, progress, relay, toPrimary, toWorker };
}

const releasesOf = (local: LocalControl) =>
  local.target.history.releases().map((r) => `${r.version} ${r.state}`);

test("what advZ21 relayed: the worker neither rolls back nor answers", async () => {
  const w = await workerOn3();
  const before = releasesOf(w.local);
  await w.relay({ "metamorph.control": "request", seq: 1, request: { command: "rollback" } });
  expect(w.counter.label()).toBe("v3:7");
  expect(releasesOf(w.local)).toEqual(before);
  // Only the ready went to the primary.
  expect(w.toPrimary).toEqual([{ "metamorph.control": "ready", mac: expect.any(String) }]);
});

const forged = fc.record({
  "metamorph.control": fc.constantFrom("request", "answer", "ready"),
  seq: fc.oneof(fc.integer(), fc.constant(1), fc.string()),
  request: fc.oneof(
    fc.constantFrom(
      { command: "rollback" },
      { command: "permanent" },
      { command: "abort", id: "x" },
      { command: "commit", id: "x" },
      { command: "status" },
    ),
    fc.anything(),
  ),
  mac: fc.oneof(fc.string(), fc.stringMatching(/^[\w-]{43}$/), fc.constant(undefined)),
});

test("any message the program makes up changes nothing and is answered nothing", async () => {
  const w = await workerOn3();
  const before = releasesOf(w.local);
  await fc.assert(
    fc.asyncProperty(forged, async (m) => {
      await w.relay(m);
      expect(releasesOf(w.local)).toEqual(before);
      expect(w.toPrimary).toHaveLength(1);
    }),
    { seed: 2117, numRuns: 200 },
  );
});

test("a real request passed on again, or with another seq or command under its seal, is not obeyed twice", async () => {
  const w = await workerOn3();
  expect(await w.participant.call({ command: "rollback" })).toMatchObject({
    ok: true,
    version: "2",
  });
  const sent = w.toWorker.at(-1) as Record<string, unknown>;
  const answered = w.toPrimary.length;
  await w.relay(sent);
  await w.relay({ ...sent, seq: (sent.seq as number) + 1 });
  await w.relay({ ...sent, request: { command: "permanent" } });
  expect(w.counter.label()).toBe("v2:7");
  expect(releasesOf(w.local)).toEqual(["1 permanent", "2 current", "3 rolled-back"]);
  expect(w.toPrimary).toHaveLength(answered);
});

test("the primary's own requests are answered, with their progress", async () => {
  const w = await workerOn3();
  expect(await w.participant.call({ command: "status" })).toMatchObject({ ok: true, version: "3" });
  expect(await w.participant.call({ command: "rollback" })).toMatchObject({ version: "2" });
  expect(await w.participant.call({ command: "apply", bundle: v3 })).toMatchObject({
    ok: true,
    version: "3",
  });
  expect(w.progress.length).toBeGreaterThan(0);
  expect(w.progress).toContainEqual(expect.objectContaining({ type: "progress" }));
  expect(await w.participant.call({ command: "permanent" })).toMatchObject({ version: "3" });
  expect(w.counter.label()).toBe("v3:7");
});

test("sealed with another key — another cluster's primary — a request is not one", async () => {
  const w = await workerOn3(Buffer.alloc(32, 7));
  const request = { command: "rollback" };
  await w.relay({
    "metamorph.control": "request",
    seq: 5,
    request,
    mac: seal(primaryClusterKey(), "request", 5, JSON.stringify(request)),
  });
  expect(w.counter.label()).toBe("v3:7");
});

test("a worker without a key (its primary is not metamorph's) takes no request and says no ready", async () => {
  const w = await workerOn3(null);
  const request = { command: "rollback" };
  await w.relay({
    "metamorph.control": "request",
    seq: 5,
    request,
    mac: seal(primaryClusterKey(), "request", 5, JSON.stringify(request)),
  });
  expect(w.counter.label()).toBe("v3:7");
  expect(w.toPrimary).toEqual([]);
});
