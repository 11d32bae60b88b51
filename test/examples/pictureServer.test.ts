/**
 * The `npm start` demo at a small scale: the real entry point (main.ts) in
 * its own process, the picture server in another, a few hundred requests,
 * both live updates, a restart for comparison. Nothing may fail and nothing
 * may be lost, and the last line printed must be the JSON summary.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { QuiescenceTimeoutError, RequestGate } from "../../examples/picture-server/gate.js";
import { createPictureWorld, seedPictures } from "../../examples/picture-server/model.js";
import { v2 } from "../../examples/picture-server/patches.js";
import { applyUpdate } from "../../examples/picture-server/service.js";
import { ScheduledManager } from "../../src/lifecycle/index.js";

const main = fileURLToPath(new URL("../../examples/picture-server/main.ts", import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const out = mkdtempSync(join(tmpdir(), "metamorph-demo-"));

afterAll(() => rmSync(out, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", tsx, main, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill(), 55_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test("picture server: live v2 (eager) and v3 (progressive) under load, 0 failed, 0 lost writes", async () => {
  const { code, stdout, stderr } = await run([
    "--pictures",
    "2000",
    "--folders",
    "10",
    "--seconds",
    "2.5",
    "--rate",
    "200",
    "--clients",
    "8",
    "--out",
    out,
  ]);
  const lines = stdout.trim().split("\n");
  const last = lines.at(-1) ?? "";
  expect(code, `${stdout}\n${stderr}`).toBe(0);
  const summary = JSON.parse(last) as Record<string, unknown>;
  expect(summary).toMatchObject({
    demo: "picture-server",
    ok: true,
    failed: 0,
    lostWrites: 0,
    pictures: 2000,
  });
  expect(summary.requests).toBeGreaterThanOrEqual(300);
  expect(summary.writesAcknowledged).toBeGreaterThan(50);
  expect(summary.restartDowntimeMs).toBeGreaterThan(0);
  const updates = summary.updates as Record<string, unknown>[];
  expect(updates.map((u) => [u.name, u.policy])).toEqual([
    ["v2", "eager"],
    ["v3", "progressive"],
  ]);
  for (const u of updates) {
    expect(typeof u.pauseMs).toBe("number");
    expect(u.pauseMs).toBeGreaterThan(0);
    expect(u.migrated).toBeGreaterThanOrEqual(2000);
    expect(u.failedMigrations).toBe(0);
    const latency = u.latency as Record<string, { n: number; p50: number; p99: number }>;
    expect(Object.keys(latency)).toEqual(["before", "during", "after"]);
    expect(latency.before!.n).toBeGreaterThan(0);
  }
  expect((updates[0]!.latency as Record<string, { n: number }>).after!.n).toBeGreaterThan(0);
  // The human report comes first, the chart and the summary are written.
  expect(stdout).toMatch(/failed\s+0/);
  expect(stdout).toMatch(/restart instead\s+down/);
  const svg = readFileSync(join(out, "latency.svg"), "utf8");
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg).toContain("v2 eager");
  expect(svg).toContain("v3 progressive");
  expect(svg.trim().endsWith("</svg>")).toBe(true);
  expect(JSON.parse(readFileSync(join(out, "demo.json"), "utf8"))).toEqual(summary);
  expect(existsSync(join(out, "restart-state.json"))).toBe(true);
}, 60_000);

describe("the request gate (forced quiescence of the HTTP handlers)", () => {
  const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test("waits for in-flight handlers, holds new ones, applies with none running, then releases them in order", async () => {
    const gate = new RequestGate();
    const log: string[] = [];
    const handler = async (name: string, ms: number) => {
      const wait = gate.enter();
      if (wait) await wait;
      log.push(`start ${name}`);
      try {
        await tick(ms);
      } finally {
        log.push(`end ${name}`);
        gate.leave();
      }
    };
    const a = handler("a", 20);
    const quiesced = gate.quiesce(() => {
      log.push(`apply (in flight: ${gate.inFlight})`);
      return 42;
    });
    const b = handler("b", 1);
    const c = handler("c", 1);
    const report = await quiesced;
    await Promise.all([a, b, c]);
    expect(report).toMatchObject({ value: 42, drained: 1, held: 2 });
    expect(report.drainMs).toBeGreaterThan(10);
    expect(log.slice(0, 3)).toEqual(["start a", "end a", "apply (in flight: 0)"]);
    expect(log.slice(3, 5)).toEqual(["start b", "start c"]);
    expect(gate.isOpen).toBe(true);
  });

  test("a handler that does not drain in time postpones the update: nothing applied, gate reopened", async () => {
    const gate = new RequestGate();
    gate.enter();
    let applied = false;
    await expect(
      gate.quiesce(
        () => {
          applied = true;
        },
        { timeoutMs: 20 },
      ),
    ).rejects.toBeInstanceOf(QuiescenceTimeoutError);
    expect(applied).toBe(false);
    expect(gate.isOpen).toBe(true);
    expect(gate.enter()).toBeNull();
  });

  test("applyUpdate: an addPicture in flight finishes before v2, its picture is migrated, the new command works", async () => {
    const world = createPictureWorld();
    seedPictures(world, { pictures: 300, folders: 3 });
    const gate = new RequestGate();
    gate.enter();
    const adding = world.gallery
      .addPicture({ folder: "album-001", name: "late.jpg", size: 1, width: 2, height: 3 })
      .finally(() => gate.leave());
    const applied = await applyUpdate({ ns: world.ns, gate }, v2);
    const added = (await adding) as { id: number };
    expect(applied).toMatchObject({ name: "v2", policy: "eager", drained: 1, migrated: 301 });
    expect(world.gallery.picture({ id: added.id })).toMatchObject({
      basepath: "/pictures/album-001",
      name: "late.jpg",
      comment: "",
    });
    expect(
      (world.gallery.commentPicture as (a: object) => unknown).call(world.gallery, {
        id: added.id,
        text: "nice",
      }),
    ).toEqual({ id: added.id, comment: "nice" });
  });

  test("applyUpdate through the lifecycle: an in-flight addPicture drains, one asked for meanwhile is held and runs on v2", async () => {
    const world = createPictureWorld();
    seedPictures(world, { pictures: 300, folders: 3 });
    const manager = new ScheduledManager();
    manager.track(world.ns.classNamed("Gallery"));
    try {
      const args = { folder: "album-002", size: 1, width: 2, height: 3 };
      const before = world.gallery.addPicture({ ...args, name: "before.jpg" });
      const updating = applyUpdate({ ns: world.ns, gate: new RequestGate(), manager }, v2);
      await tick(0);
      const during = world.gallery.addPicture({ ...args, name: "during.jpg" });
      const applied = await updating;
      expect(applied).toMatchObject({ name: "v2", policy: "eager", drained: 1, held: 1 });
      expect(applied.quiescence).toContain("lifecycle");
      expect(await before).toMatchObject({ path: "/pictures/album-002" }); // answered by v1
      expect(await during).toMatchObject({ basepath: "/pictures/album-002", comment: "" }); // ran on v2
    } finally {
      manager.close();
    }
  });
});
