/**
 * Issue 14, item 6: a cluster updated as one transaction through its
 * primary. `metamorph run` runs an unmodified clustered service (4 workers,
 * each with its own Store on its own loopback port); the test drives HTTP
 * writes at every worker while bundles are applied, and reads every
 * acknowledged write back from the worker that acknowledged it. Unix
 * sockets and loopback only; every wait bounded.
 */
import http from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLI, removeDir, run, type Running } from "../dev/support.js";
import { FIXTURES, type Result, type Workspace, workspace } from "../cli/releaseSupport.js";

const WORKERS = 4;
let space: Workspace;
let service: Running;
let socket: string;
let ports: number[] = [];
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function request(
  port: number,
  method: "GET" | "POST",
  path: string,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path, agent, timeout: 10_000 },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => (text += c));
        res.on("end", () =>
          res.statusCode === 200
            ? resolve(JSON.parse(text) as Record<string, unknown>)
            : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

/** Writes at every worker until stopped: counts failures, keeps every acknowledged write. */
function load() {
  const acknowledged: { port: number; key: string; value: string }[] = [];
  let failed = 0;
  let stopped = false;
  let n = 0;
  const client = async (port: number, c: number) => {
    while (!stopped) {
      const key = `k${port}-${c}-${n++}`;
      try {
        await request(port, "POST", `/put/${key}/${key}!`);
        acknowledged.push({ port, key, value: `${key}!` });
      } catch {
        failed++;
      }
    }
  };
  const running = Promise.all(ports.flatMap((port) => [0, 1].map((c) => client(port, c))));
  return {
    acknowledged,
    get failed() {
      return failed;
    },
    async stop() {
      stopped = true;
      await running;
    },
  };
}

async function lostWrites(acknowledged: readonly { port: number; key: string; value: string }[]) {
  let lost = 0;
  for (const w of acknowledged) {
    const read = await request(w.port, "GET", `/get/${w.key}`);
    if (read.value !== w.value) lost++;
  }
  return lost;
}

const versions = () =>
  Promise.all(ports.map((p) => request(p, "GET", "/get/none").then((r) => r.version)));
const json = (r: Result) =>
  r.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const last = (r: Result) => json(r).at(-1)!;
const metamorph = (args: readonly string[]) => space.metamorph(args);

async function pack(module: string, from: string, to: string): Promise<string> {
  const out = `${module}.${from}-${to}.bundle.json`;
  const packed = await metamorph([
    "pack",
    join(FIXTURES, module),
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
  return out;
}

beforeAll(async () => {
  space = workspace("mm-cluster-");
  expect((await metamorph(["keygen", "-o", "keys"])).code).toBe(0);
  socket = join(space.dir, "cluster.sock");
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
      join(FIXTURES, "cluster/main.ts"),
      "--",
      "--workers",
      String(WORKERS),
    ],
    space.dir,
    {},
    { stdin: true },
  );
  await service.stderr.waitFor(/^metamorph run: control socket /, { timeoutMs: 30_000 });
  // Four workers start under tsx: on a busy machine that takes a while.
  const deadline = Date.now() + 90_000;
  while (
    service.stdout.all.filter((l) => /^worker \d+ port \d+$/.test(l)).length < WORKERS &&
    Date.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 100));
  }
  ports = service.stdout.all
    .filter((l) => /^worker \d+ port \d+$/.test(l))
    .map((l) => Number(l.split(" ")[3]));
  expect(ports, service.stderr.all.join("\n")).toHaveLength(WORKERS);
}, 150_000);

afterAll(async () => {
  agent.destroy();
  service?.child.stdin?.end();
  await service?.stop();
  if (space) removeDir(space.dir);
});

describe("a cluster of 4 workers updated as one transaction", () => {
  test("under load: every worker commits, no request fails, no acknowledged write is lost; the report lists each worker", async () => {
    const bundle = await pack("cluster-v2.patch.ts", "1.0.0", "2.0.0");
    expect(await versions()).toEqual(Array(WORKERS).fill("v1"));
    const traffic = load();
    await new Promise((r) => setTimeout(r, 300));
    const applied = await metamorph(["apply", bundle, "--to", socket, "--json"]);
    await new Promise((r) => setTimeout(r, 300));
    await traffic.stop();
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const result = last(applied);
    expect(result).toMatchObject({
      type: "result",
      ok: true,
      status: "committed",
      version: "2.0.0",
    });
    const workers = result.workers as { pid: number; outcome: string; pauseMs: number }[];
    expect(workers).toHaveLength(WORKERS);
    for (const w of workers) {
      expect(w.outcome).toBe("committed");
      expect(typeof w.pauseMs).toBe("number");
    }
    expect(new Set(workers.map((w) => w.pid)).size).toBe(WORKERS);
    expect(traffic.failed).toBe(0);
    expect(traffic.acknowledged.length).toBeGreaterThan(0);
    expect(await lostWrites(traffic.acknowledged)).toBe(0);
    expect(await versions()).toEqual(Array(WORKERS).fill("v2"));
  }, 90_000);

  test("a refusal injected in one worker: no worker commits, every worker stays on the old version", async () => {
    const bundle = await pack("cluster-refuse.patch.ts", "2.0.0", "3.0.0");
    await request(ports[2]!, "POST", "/refuse-updates");
    const traffic = load();
    const applied = await metamorph(["apply", bundle, "--to", socket, "--json"]);
    await traffic.stop();
    await request(ports[2]!, "POST", "/accept-updates");
    expect(applied.code).toBe(1);
    const result = last(applied);
    expect(result).toMatchObject({ ok: false, error: { code: "MM_CLUSTER_REFUSED" } });
    const workers = result.workers as { outcome: string; error?: { code: string } }[];
    expect(workers.filter((w) => w.outcome === "refused")).toHaveLength(1);
    expect(workers.filter((w) => w.outcome === "aborted")).toHaveLength(WORKERS - 1);
    expect(workers.find((w) => w.outcome === "refused")!.error!.code).toBe("MM_VALIDATION_FAILED");
    expect(traffic.failed).toBe(0);
    expect(await lostWrites(traffic.acknowledged)).toBe(0);
    expect(await versions()).toEqual(Array(WORKERS).fill("v2"));
    const status = last(await metamorph(["status", "--to", socket, "--json"]));
    expect((status.workers as { version: string }[]).map((w) => w.version)).toEqual(
      Array(WORKERS).fill("2.0.0"),
    );
  }, 90_000);

  test("the two phases from the command line: prepare answers an id; abort drops it, commit applies it everywhere, an expired one is gone", async () => {
    const v3 = await pack("cluster-v3.patch.ts", "2.0.0", "3.0.0");
    const first = await metamorph(["apply", v3, "--prepare", "--to", socket]);
    expect(first.code, first.stderr).toBe(0);
    const firstId = first.stdout.split("\n")[0]!.trim();
    expect(firstId).toMatch(/^[\w-]{36}$/);
    // While it waits, nothing else changes the cluster's release.
    const meanwhile = await metamorph(["apply", v3, "--to", socket]);
    expect(meanwhile.code).toBe(1);
    expect(meanwhile.stderr).toContain("MM_RELEASE_PREPARED");
    expect((await metamorph(["apply", "--abort", firstId, "--to", socket])).code).toBe(0);
    expect(await versions()).toEqual(Array(WORKERS).fill("v2"));
    const again = await metamorph(["apply", "--commit", firstId, "--to", socket]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("MM_PREPARED_UNKNOWN");

    const prepared = last(await metamorph(["apply", v3, "--prepare", "--to", socket, "--json"]));
    expect(prepared).toMatchObject({ ok: true, command: "prepare" });
    expect(prepared.workers as unknown[]).toHaveLength(WORKERS);
    expect(await versions()).toEqual(Array(WORKERS).fill("v2"));
    const committed = await metamorph([
      "apply",
      "--commit",
      String(prepared.id),
      "--to",
      socket,
      "--json",
    ]);
    expect(committed.code, committed.stdout).toBe(0);
    expect(last(committed)).toMatchObject({ ok: true, status: "committed", version: "3.0.0" });
    expect(await versions()).toEqual(Array(WORKERS).fill("v3"));

    const v4 = await pack("cluster-v4.patch.ts", "3.0.0", "4.0.0");
    const expiring = last(
      await metamorph(["apply", v4, "--prepare", "--expires-in", "200", "--to", socket, "--json"]),
    );
    expect(expiring).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 1_000));
    const late = await metamorph(["apply", "--commit", String(expiring.id), "--to", socket]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain("MM_PREPARED_UNKNOWN");
    expect(await versions()).toEqual(Array(WORKERS).fill("v3"));
    // The workers' own prepared updates were aborted with it: the next update goes through.
    expect((await metamorph(["apply", v4, "--to", socket])).code).toBe(0);
    expect(await versions()).toEqual(Array(WORKERS).fill("v4"));
  }, 120_000);
});
