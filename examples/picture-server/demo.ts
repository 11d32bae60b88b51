/**
 * The whole demo, as a function (main.ts runs it at full size, the test at a
 * small one): start the picture server through `metamorph run` as a cluster
 * of workers, drive a bounded load at every worker from this process,
 * deliver v2 and v3 as signed bundles with `metamorph apply` (a process of
 * its own each time) while the load runs, then a tampered bundle (refused,
 * nothing compiled), read every acknowledged write back, apply v4 and roll
 * it back with `metamorph rollback`, read everything back again, measure
 * a stop-save-restart-load upgrade for comparison, and report.
 */
import { mkdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Delivery } from "./delivery.js";
import { compiled, metamorph, prepareDelivery, spawnCluster } from "./delivery.js";
import type { Verification } from "./load.js";
import { type Loads, startLoads } from "./loads.js";
import type { DemoSummary, Delivered } from "./report.js";
import { ms, num, report, type Row, workersOf } from "./report.js";
import { measureRestart, type RestartMeasurement } from "./restart.js";
import { round } from "./stats.js";

export type { DemoSummary, UpdateSummary, WorkerSummary } from "./report.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export interface DemoConfig {
  readonly pictures: number;
  readonly folders: number;
  readonly seed: number;
  readonly durationMs: number;
  /** Target requests per second, over all clients. */
  readonly rate: number;
  readonly clients: number;
  /** Workers of the cluster `metamorph run` runs. */
  readonly workers: number;
  /** The deliveries, in order, and when to start each (ms after the load starts). */
  readonly updates: readonly { readonly patch: "v2" | "v3" | "tampered"; readonly atMs: number }[];
  /** Width of the before / after latency windows (ms). */
  readonly windowMs: number;
  readonly chartPath: string;
  readonly statePath: string;
  /** Where the summary JSON is also written (null: nowhere). */
  readonly resultPath: string | null;
  readonly log: (line: string) => void;
}

export interface DemoSize {
  readonly pictures?: number;
  readonly folders?: number;
  /** Length of the load (s); the updates are asked for at 35 % and 65 % of it. */
  readonly seconds?: number;
  readonly rate?: number;
  readonly clients?: number;
  /** Folder for the chart, the saved state and the summary (default: out/ and state/, both ignored by git). */
  readonly outDir?: string;
  readonly workers?: number;
}

/** The demo's configuration: full size by default (`npm start`), smaller for tests. */
export function demoConfig(size: DemoSize = {}): DemoConfig {
  const seconds = size.seconds ?? 20;
  const rate = size.rate ?? 1_500;
  const durationMs = seconds * 1000;
  const out = size.outDir;
  return {
    pictures: size.pictures ?? 10_000,
    folders: size.folders ?? 50,
    seed: 42,
    durationMs,
    rate,
    clients: size.clients ?? 32,
    workers: size.workers ?? 2,
    updates: [
      { patch: "v2", atMs: Math.round(durationMs * 0.35) },
      { patch: "v3", atMs: Math.round(durationMs * 0.65) },
      { patch: "tampered", atMs: Math.round(durationMs * 0.8) },
    ],
    windowMs: Math.min(2_000, Math.round(durationMs * 0.1)),
    chartPath: out ? join(out, "latency.svg") : here("./out/latency.svg"),
    statePath: out ? join(out, "restart-state.json") : here("./state/restart-state.json"),
    resultPath: out ? join(out, "demo.json") : here("./out/demo.json"),
    log: (line) => console.log(line),
  };
}

export const defaultConfig: DemoConfig = demoConfig();

async function deliver(
  config: DemoConfig,
  delivery: Delivery,
  loads: Loads,
  problems: string[],
): Promise<Delivered[]> {
  const { log } = config;
  const delivered: Delivered[] = [];
  for (const u of config.updates) {
    const wait = u.atMs - loads.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const from = loads.now();
    const result = await metamorph(["apply", delivery.bundles[u.patch]], delivery.socket);
    const to = loads.now();
    delivered.push({ name: u.patch, from, to, result });
    const a = result.answer;
    if (u.patch === "tampered") {
      const code = String(a.code ?? (a.error as Row | undefined)?.code ?? "none");
      log(
        `  t=${(from / 1000).toFixed(1)} s  metamorph apply v4.tampered.bundle.json → exit ${result.code}, refused ${code}; its code compiled: ${compiled(delivery) ? "YES" : "no"}`,
      );
      if (result.code !== 1 || compiled(delivery))
        problems.push(`the tampered bundle was not refused cleanly (exit ${result.code}, ${code})`);
      continue;
    }
    if (result.code !== 0) {
      problems.push(`update ${u.patch} failed: ${JSON.stringify(a).slice(0, 400)}`);
      log(`update ${u.patch} FAILED: ${JSON.stringify(a).slice(0, 400)}`);
      continue;
    }
    loads.features(u.patch === "v2" ? "comment" : "stats");
    const workers = workersOf(a)
      .map((w) => `${w.pid} ${ms(num(w.pauseMs))}`)
      .join(", ");
    log(
      `  t=${(from / 1000).toFixed(1)} s  metamorph apply ${u.patch}.bundle.json → ${String(a.fromVersion)} → ${String(a.version)} on ${workersOf(a).length} workers in ${ms(num(a.clusterMs))} (command ${ms(result.ms)}); pause per worker: ${workers}`,
    );
  }
  return delivered;
}

async function applyAndRollBack(
  delivery: Delivery,
  loads: Loads,
  problems: string[],
): Promise<{ verification: Verification; rollback: DemoSummary["rollback"] }> {
  const [verification, v4] = await Promise.all([
    loads.verify(),
    metamorph(["apply", delivery.bundles.v4], delivery.socket),
  ]);
  if (v4.code !== 0)
    problems.push(`v4 was not applied: ${JSON.stringify(v4.answer).slice(0, 300)}`);
  const result = await metamorph(["rollback"], delivery.socket);
  const after = await loads.verify();
  problems.push(...after.problems.slice(0, 5).map((p) => `after the rollback: ${p}`));
  return {
    verification,
    rollback: {
      ok: v4.code === 0 && result.code === 0,
      version: String(result.answer.version ?? "?"),
      ms: round(result.ms),
      lostWrites: after.lost,
    },
  };
}

export async function runDemo(config: DemoConfig = defaultConfig): Promise<DemoSummary> {
  const tRun = performance.now();
  const { log } = config;
  const loadBefore = loadavg()[0]!;
  log(
    `metamorph picture-server demo — Node ${process.version}, ${cpus().length} CPUs (load average ${loadBefore.toFixed(1)}), ${config.pictures} pictures in ${config.folders} folders per worker`,
  );
  const delivery = await prepareDelivery();
  log(
    `release: a key pair; bundles v2, v3, v4 signed with it, and a tampered v4 (one byte changed after signing) in ${delivery.dir}`,
  );
  const service = await spawnCluster(delivery, {
    workers: config.workers,
    pictures: config.pictures,
    folders: config.folders,
    seed: config.seed,
  });
  log(
    `service: metamorph run (pid ${service.pid}) with ${service.workers.length} workers (${service.workers.map((w) => `pid ${w.pid} on :${w.port}`).join(", ")}), ready in ${ms(service.bootMs)}; ` +
      `load: ${config.clients} clients in pid ${process.pid}, ${config.rate} req/s for at least ${config.durationMs / 1000} s`,
  );
  const problems: string[] = [];
  // The load runs its configured time, and on past the last delivery long enough to see "after".
  const { loads, running } = startLoads(config, service, config.durationMs + 120_000);
  let delivered: Delivered[] = [];
  let verification: Verification = { picturesChecked: 0, lost: 0, problems: [] };
  let rollback: DemoSummary["rollback"] = { ok: false, version: "?", ms: 0, lostWrites: -1 };
  try {
    delivered = await deliver(config, delivery, loads, problems);
    const end = Math.max(config.durationMs, loads.now() + config.windowMs);
    await new Promise((r) => setTimeout(r, Math.max(0, end - loads.now())));
    loads.each.forEach((l) => {
      l.stop();
    });
    await running;
    log(`load over: ${loads.samples.length} requests; reading every acknowledged write back…`);
    ({ verification, rollback } = await applyAndRollBack(delivery, loads, problems));
    log(
      `metamorph apply v4.bundle.json, then metamorph rollback → running ${rollback.version} on every worker (${ms(rollback.ms)}); every acknowledged write read back again: ${rollback.lostWrites} lost`,
    );
    if (!rollback.ok) problems.push("the rollback failed");
  } finally {
    loads.stop();
    service.kill();
    await Promise.race([service.exited, new Promise((r) => setTimeout(r, 5_000))]);
    delivery.remove();
  }

  log("measuring the usual alternative: stop, save to disk, start the new version, load…");
  mkdirSync(dirname(config.statePath), { recursive: true });
  let restart: RestartMeasurement | null = null;
  try {
    restart = await measureRestart({
      pictures: config.pictures,
      folders: config.folders,
      seed: config.seed,
      statePath: config.statePath,
    });
  } catch (error) {
    problems.push(`restart measurement failed: ${(error as Error).message}`);
  }
  return report(config, {
    tRun,
    loadBefore,
    loads,
    delivered,
    verification,
    rollback,
    restart,
    problems,
  });
}
