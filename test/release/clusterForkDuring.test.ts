/**
 * A worker that starts while the cluster's release is being changed —
 * forked by the program, or forked again after a worker that had committed
 * was killed — is no participant of the update: it used to replay the
 * primary's list as it was before the commit and stay on the old release,
 * while the answer said "committed" (advZ4). It now waits for the outcome
 * (ReleaseLog.hold; `status` says it is starting) and starts on the release
 * the cluster ended on; the answer lists it, and the killed worker as
 * exited. `metamorph run --track-calls` on a fixture whose worker holds a
 * call of the updated class in flight until told, so that a forced
 * quiescence commit waits on it while the other worker has committed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connect, type ControlClient, type FinalMessage } from "../../src/release/client.js";
import { type Workspace, workspace } from "../cli/releaseSupport.js";
import { CLI, REPO, removeDir, run, type Running } from "../dev/support.js";

const FIXTURES = join(REPO, "test/release/fixtures");

let space: Workspace;
let service: Running;
let client: ControlClient;
const bundles: Record<string, string> = {};

type Line = {
  readonly pid: number;
  readonly version?: string;
  readonly outcome?: string;
  readonly starting?: boolean;
};
const workersOf = (m: FinalMessage) => (m as unknown as { workers: Line[] }).workers;

async function pack(to: string, extra: readonly string[] = []): Promise<string> {
  const out = join(space.dir, `v${to}.bundle.json`);
  const from = `${Number(to) - 1}.0.0`;
  const packed = await space.metamorph([
    "pack",
    join(FIXTURES, `forkDuring-v${to}.patch.mjs`),
    "--key",
    "keys/release.key",
    "--from",
    from,
    "--to",
    `${to}.0.0`,
    "-o",
    out,
    ...extra,
  ]);
  expect(packed.code, packed.stderr).toBe(0);
  return readFileSync(out, "utf8");
}

/** Polls until `check` holds (bounded). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const statusOf = async (pid: number) => workersOf(await client.status()).find((w) => w.pid === pid);

/** Forks a worker (or kills one, which the program forks again) and waits until it asked for its release. */
async function startsDuring(start: () => void): Promise<number> {
  const from = service.stdout.all.length;
  start();
  const line = await service.stdout.waitFor(/^forked \d+$/, { from, timeoutMs: 20_000 });
  const pid = Number(line.split(" ")[1]);
  // Starting (waiting for the outcome) or, before the fix, ready on the release before.
  await until(async () => {
    const w = await statusOf(pid);
    return w?.starting === true || typeof w?.version === "string";
  }, `worker ${pid} to ask for the cluster's release`);
  return pid;
}

/** Starts a call of the updated class in `pid`, in flight until `end`. */
async function slowCall(pid: number): Promise<() => void> {
  const from = service.stdout.all.length;
  service.send(`slow ${pid}`);
  await service.stdout.waitFor(new RegExp(`^slow ${pid} started$`), { from });
  return () => service.send(`end ${pid}`);
}

async function labels(count: number): Promise<string[]> {
  const from = service.stdout.all.length;
  service.send("show");
  const found = () => service.stdout.all.slice(from).filter((l) => l.startsWith("state "));
  await until(async () => found().length >= count, `${count} states`);
  return found().map((l) => l.split(" ")[2]!);
}

async function ready(pid: number): Promise<void> {
  await service.stdout.waitFor(new RegExp(`^worker ${pid} ready$`), { timeoutMs: 60_000 });
}

beforeAll(async () => {
  space = workspace("mm-forkduring-");
  expect((await space.metamorph(["keygen", "-o", "keys"])).code).toBe(0);
  bundles.v2 = await pack("2");
  bundles.v3 = await pack("3", ["--force-quiescence", "--timeout", "60000"]);
  const socket = join(space.dir, "fork.sock");
  service = run(
    [
      ...CLI,
      "run",
      "--track-calls",
      "--trust",
      join(space.dir, "keys/release.pub"),
      "--control",
      socket,
      "--release",
      "1.0.0",
      join(FIXTURES, "forkDuring/main.mjs"),
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
  const applied = await client.apply(bundles.v2!);
  expect(applied, JSON.stringify(applied)).toMatchObject({ ok: true, version: "2.0.0" });
}, 150_000);

afterAll(async () => {
  service?.child.stdin?.end();
  await service?.stop();
  if (space) removeDir(space.dir);
});

describe("workers that start while the cluster commits", () => {
  test("apply: one forked, and one forked again after a committed worker was killed, start on the committed release", async () => {
    const [a, b] = workersOf(await client.status()).map((w) => w.pid) as [number, number];
    const end = await slowCall(a);
    const applying = client.apply(bundles.v3!);
    await until(async () => (await statusOf(b))?.version === "3.0.0", `worker ${b} to commit`);
    const forked = await startsDuring(() => service.send("fork"));
    const again = await startsDuring(() => process.kill(b, "SIGKILL"));
    end();
    const answer = await applying;
    expect(answer, JSON.stringify(answer)).toMatchObject({
      ok: true,
      status: "committed",
      version: "3.0.0",
    });
    const lines = new Map(workersOf(answer).map((w) => [w.pid, w]));
    expect(lines.get(a)).toMatchObject({ outcome: "committed", version: "3.0.0" });
    expect(lines.get(b)).toMatchObject({ outcome: "exited" });
    expect(lines.get(forked)).toMatchObject({ outcome: "not-asked", version: "3.0.0" });
    expect(lines.get(again)).toMatchObject({ outcome: "not-asked", version: "3.0.0" });
    await ready(forked);
    await ready(again);
    const status = await client.status();
    expect(status, JSON.stringify(status)).toMatchObject({ agreed: true, version: "3.0.0" });
    expect(
      workersOf(status)
        .map((w) => w.pid)
        .sort(),
    ).toEqual([a, forked, again].sort());
    expect(await labels(3)).toEqual(["v3:7", "v3:7", "v3:7"]);
  }, 180_000);

  test("rollback, then prepare and commit: a worker forked during the commit starts on the committed release", async () => {
    const rolledBack = await client.rollback();
    expect(rolledBack, JSON.stringify(rolledBack)).toMatchObject({ ok: true, version: "2.0.0" });
    const pids = workersOf(await client.status()).map((w) => w.pid);
    const prepared = await client.request({ command: "prepare", bundle: bundles.v3! });
    expect(prepared, JSON.stringify(prepared)).toMatchObject({ ok: true });
    const end = await slowCall(pids[0]!);
    const id = String((prepared as Readonly<Record<string, unknown>>).id);
    const committing = client.request({ command: "commit", id });
    await until(async () => (await statusOf(pids[1]!))?.version === "3.0.0", "a worker to commit");
    const forked = await startsDuring(() => service.send("fork"));
    end();
    const answer = await committing;
    expect(answer, JSON.stringify(answer)).toMatchObject({ ok: true, status: "committed" });
    expect(workersOf(answer).find((w) => w.pid === forked)).toMatchObject({
      outcome: "not-asked",
      version: "3.0.0",
    });
    await ready(forked);
    const status = await client.status();
    expect(status, JSON.stringify(status)).toMatchObject({ agreed: true, version: "3.0.0" });
    expect(workersOf(status)).toHaveLength(pids.length + 1);
    expect(await labels(pids.length + 1)).toEqual(Array(pids.length + 1).fill("v3:7"));
  }, 180_000);
});
