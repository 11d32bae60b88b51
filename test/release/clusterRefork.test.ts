/**
 * A worker re-forked after a crash takes requests only once it runs the
 * cluster's release (clusterIpc.ts: it says it is ready). A request the
 * primary gets meanwhile waits for it: before, one sent before the worker's
 * control listened was lost (the operator waited 30 s for MM_CONTROL_TIMEOUT),
 * and one sent before its replay was answered on the code on disk.
 * `metamorph run` on a fixture that re-forks a worker that dies, its new
 * worker holding in its entry until told "go"; every wait bounded.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connect, type ControlClient, type FinalMessage } from "../../src/release/client.js";
import { FIXTURES, type Workspace, workspace } from "../cli/releaseSupport.js";
import { CLI, removeDir, run, type Running } from "../dev/support.js";
import { readFileSync } from "node:fs";

let space: Workspace;
let service: Running;
let client: ControlClient;
const bundles: Record<string, string> = {};

type Worker = { readonly pid: number; readonly version?: string; readonly outcome?: string };
const workersOf = (m: FinalMessage) => (m as unknown as { workers: Worker[] }).workers;

async function pack(from: string, to: string): Promise<string> {
  const out = join(space.dir, `v${to}.bundle.json`);
  const packed = await space.metamorph([
    "pack",
    join(FIXTURES, `refork-v${to[0]}.patch.mjs`),
    "--key",
    "keys/release.key",
    "--from",
    from,
    "--to",
    to,
    "-o",
    out,
  ]);
  expect(packed.code, packed.stderr).toBe(0);
  return readFileSync(out, "utf8");
}

/**
 * Crashes a worker, sends `ask` as soon as the primary has forked its
 * successor (still starting), lets that worker finish its entry, and
 * answers the reply and the new worker's pid.
 */
async function duringRefork(ask: () => Promise<FinalMessage>) {
  const from = service.stdout.all.length;
  service.send("crash");
  const forked = await service.stdout.waitFor(/^forked \d+$/, { from, timeoutMs: 20_000 });
  const pid = Number(forked.split(" ")[1]);
  const answer = ask();
  await service.stdout.waitFor(new RegExp(`^worker ${pid} holding$`), {
    from,
    timeoutMs: 60_000,
  });
  service.send("go");
  return { answer: await answer, pid };
}

beforeAll(async () => {
  space = workspace("mm-refork-");
  expect((await space.metamorph(["keygen", "-o", "keys"])).code).toBe(0);
  bundles.v2 = await pack("1.0.0", "2.0.0");
  bundles.v3 = await pack("2.0.0", "3.0.0");
  const socket = join(space.dir, "refork.sock");
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
      join(FIXTURES, "refork/main.mjs"),
    ],
    space.dir,
    {},
    { stdin: true },
  );
  const deadline = Date.now() + 60_000;
  const ready = () => service.stdout.all.filter((l) => /^worker \d+ ready/.test(l)).length;
  while (ready() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(ready(), service.stderr.all.join("\n")).toBe(2);
  client = connect(socket, { timeoutMs: 100_000 });
  const applied = await client.apply(bundles.v2!);
  expect(applied, JSON.stringify(applied)).toMatchObject({ ok: true, version: "2.0.0" });
}, 120_000);

afterAll(async () => {
  service?.child.stdin?.end();
  await service?.stop();
  if (space) removeDir(space.dir);
});

describe("requests while a crashed worker is re-forked", () => {
  test("status waits for the new worker and answers every worker on the cluster's release", async () => {
    const { answer, pid } = await duringRefork(() => client.status());
    expect(answer, JSON.stringify(answer)).toMatchObject({
      type: "result",
      agreed: true,
      version: "2.0.0",
    });
    const workers = workersOf(answer);
    expect(workers.map((w) => w.version)).toEqual(["2.0.0", "2.0.0"]);
    expect(workers.map((w) => w.pid)).toContain(pid);
  }, 120_000);

  test("apply reaches the new worker once it replayed: every worker commits", async () => {
    const { answer, pid } = await duringRefork(() => client.apply(bundles.v3!));
    expect(answer, JSON.stringify(answer)).toMatchObject({
      ok: true,
      status: "committed",
      version: "3.0.0",
    });
    const workers = workersOf(answer);
    expect(workers.map((w) => w.outcome)).toEqual(["committed", "committed"]);
    expect(workers.map((w) => w.pid)).toContain(pid);
  }, 120_000);

  test("rollback reaches the new worker once it replayed: every worker rolls back", async () => {
    const { answer, pid } = await duringRefork(() => client.rollback());
    expect(answer, JSON.stringify(answer)).toMatchObject({ ok: true, version: "2.0.0" });
    const workers = workersOf(answer);
    expect(workers.map((w) => w.version)).toEqual(["2.0.0", "2.0.0"]);
    expect(workers.map((w) => w.pid)).toContain(pid);
    const status = await client.status();
    expect(status).toMatchObject({ agreed: true, version: "2.0.0" });
  }, 120_000);
});
