/**
 * A cluster's workers take control requests from their primary's metamorph
 * only. Their messages share Node's IPC channel with the program's, and a
 * worker used to obey any message carrying the key "metamorph.control": a
 * primary that relayed someone's JSON to a worker ("relay this to worker
 * 0") let that someone roll the worker back, or make its release
 * permanent, outside the cluster's transaction — no socket, no key; the
 * workers then disagreed (advZ21). Requests are now sealed with a key the
 * primary hands each worker through its environment at fork, which the
 * worker takes out before the program's entry runs. `metamorph run` on a
 * fixture whose primary relays what it is told to a worker.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { connect, type ControlClient, type FinalMessage } from "../../src/release/client.js";
import { type Workspace, workspace } from "../cli/releaseSupport.js";
import { CLI, REPO, removeDir, run, type Running } from "../dev/support.js";

const FIXTURES = join(REPO, "test/release/fixtures");

let space: Workspace;
let service: Running;
let client: ControlClient;

type Line = { readonly pid: number; readonly version?: string; readonly releases?: unknown[] };
const workersOf = (m: FinalMessage) => (m as unknown as { workers: Line[] }).workers;

async function labels(): Promise<string[]> {
  const from = service.stdout.all.length;
  service.send("show");
  const found = () => service.stdout.all.slice(from).filter((l) => l.startsWith("state "));
  const deadline = Date.now() + 60_000;
  while (found().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return found().map((l) => l.split(" ")[2]!);
}

/** Relays `message` to worker `index` as the program's own, and waits until that worker got it. */
async function relay(index: number, message: unknown): Promise<void> {
  const from = service.stdout.all.length;
  const json = JSON.stringify(message);
  service.send(`relay ${index} ${json}`);
  await service.stdout.waitFor(
    new RegExp(`^relayed \\d+ ${json.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`),
    {
      from,
      timeoutMs: 30_000,
    },
  );
}

beforeAll(async () => {
  space = workspace("mm-relay-");
  expect((await space.metamorph(["keygen", "-o", "keys"])).code).toBe(0);
  const out = join(space.dir, "v2.bundle.json");
  const packed = await space.metamorph([
    "pack",
    join(FIXTURES, "forkDuring-v2.patch.mjs"),
    "--key",
    "keys/release.key",
    "--from",
    "1.0.0",
    "--to",
    "2.0.0",
    "-o",
    out,
  ]);
  expect(packed.code, packed.stderr).toBe(0);
  const socket = join(space.dir, "relay.sock");
  service = run(
    [
      ...CLI,
      "run",
      "--trust",
      join(space.dir, "keys/release.pub"),
      "--control",
      socket,
      "--release",
      "1.0.0",
      join(FIXTURES, "relay/main.mjs"),
    ],
    space.dir,
    {},
    { stdin: true },
  );
  const deadline = Date.now() + 60_000;
  const readyCount = () => service.stdout.all.filter((l) => /^worker \d+ ready$/.test(l)).length;
  while (readyCount() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(readyCount(), service.stderr.all.join("\n")).toBe(2);
  client = connect(socket, { timeoutMs: 150_000 });
  const applied = await client.apply(readFileSync(out, "utf8"));
  expect(applied, JSON.stringify(applied)).toMatchObject({ ok: true, version: "2.0.0" });
}, 150_000);

afterAll(async () => {
  service?.child.stdin?.end();
  await service?.stop();
  if (space) removeDir(space.dir);
});

test("the cluster's key is not in a worker's environment when the program's entry runs", () => {
  const lines = service.stdout.all.filter((l) => /^worker \d+ key /.test(l));
  expect(lines).toHaveLength(2);
  for (const line of lines) expect(line).toMatch(/ key absent$/);
});

test("a control request the program relays is not obeyed; the cluster's own still are", async () => {
  // What advZ21 relayed, and the same with a made-up seal, to each worker.
  await relay(0, { "metamorph.control": "request", seq: 1, request: { command: "permanent" } });
  await relay(1, {
    "metamorph.control": "request",
    seq: 99,
    request: { command: "rollback" },
    mac: "AAAA",
  });
  const status = await client.status();
  expect(status, JSON.stringify(status)).toMatchObject({ agreed: true, version: "2.0.0" });
  for (const worker of workersOf(status)) {
    expect(worker.releases).toMatchObject([
      { version: "1.0.0", state: "permanent" },
      { version: "2.0.0", state: "current" },
    ]);
  }
  expect(await labels()).toEqual(["v2:7", "v2:7"]);
  // Made permanent by the relayed request, a worker would refuse this rollback.
  const rolledBack = await client.rollback();
  expect(rolledBack, JSON.stringify(rolledBack)).toMatchObject({ ok: true, version: "1.0.0" });
  expect(await labels()).toEqual(["v1:7", "v1:7"]);
}, 180_000);
