/**
 * The whole demo, as a function (main.ts runs it at full size, the test at a
 * small one): start the picture server in its own process, drive a bounded
 * load at it from this process, update it live to v2 and then v3 half-way,
 * read every acknowledged write back, measure a stop-save-restart-load
 * upgrade for comparison, and report.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import { cpus, loadavg } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { latencyChart } from "./chart.js";
import { call, spawnService } from "./client.js";
import { Load, verifyWrites, WRITES } from "./load.js";
import { measureRestart, type RestartMeasurement } from "./restart.js";
import type { AppliedUpdate } from "./service.js";
import { aroundUpdate, type LatencyStats, latencyStats, round } from "./stats.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export interface DemoConfig {
  readonly pictures: number;
  readonly folders: number;
  readonly seed: number;
  readonly durationMs: number;
  /** Target requests per second, over all clients. */
  readonly rate: number;
  readonly clients: number;
  readonly maxRequests: number;
  /** The updates, in order, and when to ask for each (ms after the load starts). */
  readonly updates: readonly { readonly patch: "v2" | "v3"; readonly atMs: number }[];
  /** Width of the before / after latency windows (ms). */
  readonly windowMs: number;
  readonly chartPath: string;
  readonly statePath: string;
  /** Where the summary JSON is also written (null: nowhere). */
  readonly resultPath: string | null;
  /** How the service makes its handlers quiescent for an update. */
  readonly quiescence: "lifecycle" | "gate";
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
  readonly quiescence?: "lifecycle" | "gate";
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
    maxRequests: Math.ceil(rate * seconds * 1.2),
    updates: [
      { patch: "v2", atMs: Math.round(durationMs * 0.35) },
      { patch: "v3", atMs: Math.round(durationMs * 0.65) },
    ],
    windowMs: Math.min(2_000, Math.round(durationMs * 0.1)),
    chartPath: out ? join(out, "latency.svg") : here("./out/latency.svg"),
    statePath: out ? join(out, "restart-state.json") : here("./state/restart-state.json"),
    resultPath: out ? join(out, "demo.json") : here("./out/demo.json"),
    quiescence: size.quiescence ?? "lifecycle",
    log: (line) => console.log(line),
  };
}

export const defaultConfig: DemoConfig = demoConfig();

export interface UpdateSummary {
  readonly name: string;
  readonly policy: string;
  readonly pauseMs: number;
  readonly migrated: number;
  readonly holdMs: number;
  readonly drainMs: number;
  readonly drained: number;
  readonly held: number;
  readonly sweepMs: number;
  readonly longestBlockMs: number;
  readonly classesChanged: number;
  readonly failedMigrations: number;
  readonly latency: { before: LatencyStats; during: LatencyStats; after: LatencyStats };
}

export interface DemoSummary {
  readonly demo: "picture-server";
  readonly ok: boolean;
  readonly requests: number;
  readonly failed: number;
  readonly lostWrites: number;
  readonly writesAcknowledged: number;
  readonly picturesReadBack: number;
  readonly pictures: number;
  readonly folders: number;
  readonly clients: number;
  readonly loadMs: number;
  readonly requestsPerSecond: number;
  readonly latency: LatencyStats;
  readonly updates: readonly UpdateSummary[];
  readonly quiescence: string;
  readonly restartDowntimeMs: number;
  readonly restart: RestartMeasurement | null;
  readonly chart: string;
  readonly node: string;
  readonly machine: { readonly cpus: number; readonly loadAverage: readonly number[] };
  readonly totalMs: number;
}

const ms = (x: number) => `${round(x, x < 10 ? 2 : 1)} ms`;
const pad = (s: string | number, n: number) => String(s).padEnd(n);
const lat = (s: LatencyStats) => (s.n === 0 ? "—" : `${s.p50} / ${s.p99} ms (${s.n})`);

export async function runDemo(config: DemoConfig = defaultConfig): Promise<DemoSummary> {
  const tRun = performance.now();
  const { log } = config;
  const loadBefore = loadavg()[0]!;
  log(
    `metamorph picture-server demo — Node ${process.version}, ${cpus().length} CPUs (load average ${loadBefore.toFixed(1)}), ${config.pictures} pictures in ${config.folders} folders`,
  );
  const service = await spawnService({
    pictures: config.pictures,
    folders: config.folders,
    seed: config.seed,
    quiescence: config.quiescence,
  });
  log(
    `service: pid ${service.pid} on http://127.0.0.1:${service.port} (started in ${ms(service.ready.bootMs)}); ` +
      `load: ${config.clients} clients in pid ${process.pid}, ${config.rate} req/s for ${config.durationMs / 1000} s`,
  );
  const admin = new http.Agent({ keepAlive: false });
  const load = new Load({
    port: service.port,
    durationMs: config.durationMs,
    rate: config.rate,
    clients: config.clients,
    maxRequests: config.maxRequests,
    pictures: config.pictures,
    folders: config.folders,
  });
  const applied: (AppliedUpdate & { from: number; to: number; commitAt: number })[] = [];
  const problems: string[] = [];
  let verification: Awaited<ReturnType<typeof verifyWrites>> = {
    picturesChecked: 0,
    lost: 0,
    problems: [],
  };
  try {
    const running = load.run();
    for (const u of config.updates) {
      const wait = u.atMs - load.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const from = load.now();
      const reply = await call({
        port: service.port,
        agent: admin,
        method: "POST",
        path: `/admin/update/${u.patch}`,
        timeoutMs: 30_000,
      });
      const to = load.now();
      if (reply.status !== 200) {
        problems.push(`update ${u.patch} failed: ${JSON.stringify(reply.body)}`);
        log(`update ${u.patch} FAILED: ${JSON.stringify(reply.body)}`);
        continue;
      }
      const a = reply.body as AppliedUpdate;
      applied.push({ ...a, from, to, commitAt: from + a.committedAfterMs });
      if (u.patch === "v2") load.features.comment = true;
      if (u.patch === "v3") load.features.stats = true;
      log(
        `  t=${(from / 1000).toFixed(1)} s  ${a.name} (${a.policy}) committed: pause ${ms(a.pauseMs)}, ` +
          `calls held for ${ms(a.holdMs)}, ${a.migrated} instances migrated` +
          (a.policy === "eager" ? "" : ` (sweep ${ms(a.sweepMs)})`),
      );
    }
    await running;
    log(`load over: ${load.samples.length} requests; reading every acknowledged write back…`);
    verification = await verifyWrites(load);
    await call({ port: service.port, agent: admin, method: "POST", path: "/admin/shutdown" }).catch(
      () => {},
    );
    await Promise.race([service.exited, new Promise((r) => setTimeout(r, 5_000))]);
  } finally {
    load.stop();
    load.agent.destroy();
    service.kill();
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

  // --- report ---
  const samples = load.samples;
  const failed = samples.filter((s) => !s.ok).length;
  const writes = samples.filter((s) => WRITES.has(s.op)).length;
  const loadMs = samples.reduce((m, s) => Math.max(m, s.end), 0);
  const updates: UpdateSummary[] = applied.map((a) => ({
    name: a.name,
    policy: a.policy,
    pauseMs: round(a.pauseMs),
    migrated: a.migrated,
    holdMs: round(a.holdMs),
    drainMs: round(a.drainMs),
    drained: a.drained,
    held: a.held,
    sweepMs: round(a.sweepMs),
    longestBlockMs: round(a.longestBlockMs),
    classesChanged: a.classesChanged,
    failedMigrations: a.failedMigrations,
    latency: aroundUpdate(samples, { from: a.from, to: a.to }, config.windowMs),
  }));
  mkdirSync(dirname(config.chartPath), { recursive: true });
  writeFileSync(
    config.chartPath,
    latencyChart({
      samples,
      durationMs: config.durationMs,
      updates: applied.map((a) => ({
        name: a.name,
        policy: a.policy,
        from: a.from,
        commitAt: a.commitAt,
        to: a.to,
        pauseMs: a.pauseMs,
        migrated: a.migrated,
      })),
      title: `metamorph picture-server: latency while updating live (${samples.length} requests, ${failed} failed, ${verification.lost} writes lost)`,
      note:
        restart === null
          ? `${config.pictures} pictures, ${config.clients} clients on loopback`
          : `${config.pictures} pictures, ${config.clients} clients on loopback; a stop-save-restart-load upgrade instead: ${Math.round(restart.downtimeMs)} ms down, ${restart.refused} probe requests refused`,
    }),
  );
  const fromHere = relative(process.cwd(), config.chartPath);
  const chart = fromHere.startsWith("..") ? config.chartPath : fromHere;
  const ok =
    problems.length === 0 &&
    failed === 0 &&
    verification.lost === 0 &&
    applied.length === config.updates.length &&
    updates.every((u) => u.failedMigrations === 0);

  log("");
  log(
    `requests        ${samples.length} (${samples.length - writes} reads, ${writes} writes) in ${(loadMs / 1000).toFixed(1)} s, ${Math.round(samples.length / (loadMs / 1000))} req/s`,
  );
  log(`failed          ${failed}`);
  log(
    `lost writes     ${verification.lost} (${load.acknowledgedWrites} writes acknowledged; ${verification.picturesChecked} pictures and ${config.folders} folder counts read back)`,
  );
  const all = latencyStats(samples);
  log(`latency         p50 ${all.p50} ms, p99 ${all.p99} ms, max ${all.max} ms over the whole run`);
  log("");
  log(
    `${pad("update", 8)}${pad("policy", 13)}${pad("pause", 11)}${pad("held for", 13)}${pad("drained", 9)}${pad("held", 6)}${pad("migrated", 10)}sweep (longest block)`,
  );
  for (const u of updates) {
    log(
      `${pad(u.name, 8)}${pad(u.policy, 13)}${pad(ms(u.pauseMs), 11)}${pad(ms(u.holdMs), 13)}${pad(u.drained, 9)}${pad(u.held, 6)}${pad(u.migrated, 10)}${u.policy === "eager" ? "—" : `${ms(u.sweepMs)} (${ms(u.longestBlockMs)})`}`,
    );
  }
  log("");
  log(
    `latency p50 / p99 (n)  ${pad("before", 24)}${pad("during", 24)}after   [±${config.windowMs / 1000} s]`,
  );
  for (const u of updates) {
    log(
      `${pad(u.name, 23)} ${pad(lat(u.latency.before), 24)}${pad(lat(u.latency.during), 24)}${lat(u.latency.after)}`,
    );
  }
  log("");
  if (restart !== null) {
    log(
      `restart instead  down ${ms(restart.downtimeMs)}: save ${ms(restart.saveMs)} (${(restart.stateBytes / 2 ** 20).toFixed(1)} MB JSON), ` +
        `exit ${ms(restart.exitMs - restart.saveMs)}, start v2 ${ms(restart.startMs)} (of which load ${ms(restart.loadMs)}); ` +
        `${restart.refused} of ${restart.probes} probe requests refused`,
    );
    const v2 = updates.find((u) => u.name === "v2");
    if (v2) {
      log(
        `metamorph        v2 paused the service ${ms(v2.pauseMs)} (calls held for ${ms(v2.holdMs)}), 0 refused — ` +
          `${Math.round(restart.downtimeMs / Math.max(v2.holdMs, 0.001))}× shorter than the restart`,
      );
    }
  }
  for (const p of [...problems, ...load.failures, ...verification.problems].slice(0, 20)) {
    log(`  problem: ${p}`);
  }
  log(`quiescence       ${applied[0]?.quiescence ?? config.quiescence}`);
  log(`chart            ${chart}`);

  const summary: DemoSummary = {
    demo: "picture-server",
    ok,
    requests: samples.length,
    failed,
    lostWrites: verification.lost,
    writesAcknowledged: load.acknowledgedWrites,
    picturesReadBack: verification.picturesChecked,
    pictures: config.pictures,
    folders: config.folders,
    clients: config.clients,
    loadMs: round(loadMs),
    requestsPerSecond: Math.round(samples.length / (loadMs / 1000)),
    latency: all,
    updates,
    quiescence: applied[0]?.quiescence ?? "none",
    restartDowntimeMs: restart === null ? -1 : round(restart.downtimeMs),
    restart:
      restart === null
        ? null
        : (Object.fromEntries(
            Object.entries(restart).map(([k, v]) => [k, round(v)]),
          ) as unknown as RestartMeasurement),
    chart,
    node: process.version,
    machine: { cpus: cpus().length, loadAverage: [round(loadBefore), round(loadavg()[0]!)] },
    totalMs: round(performance.now() - tRun),
  };
  if (config.resultPath !== null) {
    mkdirSync(dirname(config.resultPath), { recursive: true });
    writeFileSync(config.resultPath, `${JSON.stringify(summary, null, 2)}\n`);
  }
  return summary;
}
