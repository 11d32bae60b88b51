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
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { latencyChart } from "./chart.js";
import type { CliResult, ClusterProcess, Delivery } from "./delivery.js";
import { compiled, metamorph, POLICIES, prepareDelivery, spawnCluster } from "./delivery.js";
import { Load, type Sample, type Verification, verifyWrites, WRITES } from "./load.js";
import { measureRestart, type RestartMeasurement } from "./restart.js";
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

/** One worker's part of an update (from the cluster's report). */
export interface WorkerSummary {
  readonly pid: number;
  readonly outcome: string;
  readonly pauseMs: number;
  readonly holdMs: number;
}

export interface UpdateSummary {
  readonly name: string;
  readonly policy: string;
  /** The longest pause of any worker (each worker pauses on its own, at about the same time). */
  readonly pauseMs: number;
  /** Objects migrated, all workers together: in the commit (eager), by first use and the sweep (progressive). */
  readonly migrated: number;
  readonly holdMs: number;
  readonly held: number;
  /** Committed updates migrated every object: one that cannot be migrated rolls the update back. */
  readonly failedMigrations: number;
  /** From starting `metamorph apply` (a new process) to its exit with every worker committed. */
  readonly applyMs: number;
  /** In the primary: from the request to the last worker committed (prepare everywhere, then commit everywhere). */
  readonly clusterMs: number;
  readonly workers: readonly WorkerSummary[];
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
  readonly workers: number;
  readonly loadMs: number;
  readonly requestsPerSecond: number;
  readonly latency: LatencyStats;
  readonly updates: readonly UpdateSummary[];
  /** The bundle with one byte changed after signing. */
  readonly tampered: {
    readonly refused: boolean;
    readonly code: string;
    readonly compiled: boolean;
  };
  /** After the load: v4 applied, `metamorph rollback` back to v3, and every acknowledged write read back again. */
  readonly rollback: {
    readonly ok: boolean;
    readonly version: string;
    readonly ms: number;
    readonly lostWrites: number;
  };
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
const QUIESCENCE =
  "metamorph lifecycle in each worker: forced quiescence of the classes the bundle changes (held calls wait, none refused)";

interface Delivered {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly result: CliResult;
}

type Row = Readonly<Record<string, unknown>>;
const workersOf = (answer: Row): Row[] =>
  Array.isArray(answer.workers) ? (answer.workers as Row[]) : [];
const num = (v: unknown) => (typeof v === "number" ? v : 0);

/** Several loads (one per worker: each worker has its own gallery) as one. */
class Loads {
  constructor(readonly each: readonly Load[]) {}
  now(): number {
    return this.each[0]!.now();
  }
  get samples(): Sample[] {
    return this.each.flatMap((l) => l.samples);
  }
  get failures(): string[] {
    return this.each.flatMap((l) => l.failures);
  }
  get acknowledgedWrites(): number {
    return this.each.reduce((n, l) => n + l.acknowledgedWrites, 0);
  }
  features(name: "comment" | "stats"): void {
    for (const l of this.each) l.features[name] = true;
  }
  stop(): void {
    for (const l of this.each) {
      l.stop();
      l.agent.destroy();
    }
  }
  async verify(): Promise<Verification> {
    const all = await Promise.all(this.each.map((l) => verifyWrites(l)));
    return {
      picturesChecked: all.reduce((n, v) => n + v.picturesChecked, 0),
      lost: all.reduce((n, v) => n + v.lost, 0),
      problems: all.flatMap((v) => v.problems),
    };
  }
}

/** The load, one share per worker; it runs until `stop` (at the latest `maxMs`). */
function startLoads(config: DemoConfig, service: ClusterProcess, maxMs: number) {
  const n = service.workers.length;
  const loads = new Loads(
    service.workers.map(
      (w, i) =>
        new Load({
          port: w.port,
          durationMs: maxMs,
          rate: config.rate / n,
          // The clients are shared out; the first workers take the remainder.
          clients: Math.floor(config.clients / n) + (i < config.clients % n ? 1 : 0),
          maxRequests: Math.ceil((config.rate / n) * (maxMs / 1000) * 1.2),
          pictures: config.pictures,
          folders: config.folders,
        }),
    ),
  );
  return { loads, running: Promise.all(loads.each.map((l) => l.run())) };
}

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

function summarise(d: Delivered, samples: readonly Sample[], windowMs: number): UpdateSummary {
  const workers = workersOf(d.result.answer);
  return {
    name: d.name,
    policy: POLICIES[d.name] ?? "eager",
    pauseMs: round(Math.max(0, ...workers.map((w) => num(w.pauseMs)))),
    migrated: workers.reduce((n, w) => n + Math.max(num(w.migrated), num(w.migratedSoFar)), 0),
    holdMs: round(Math.max(0, ...workers.map((w) => num(w.holdMs)))),
    held: workers.reduce((n, w) => n + num(w.heldCalls), 0),
    failedMigrations: 0,
    applyMs: round(d.result.ms),
    clusterMs: round(num(d.result.answer.clusterMs)),
    workers: workers.map((w) => ({
      pid: num(w.pid),
      outcome: String(w.outcome),
      pauseMs: round(num(w.pauseMs)),
      holdMs: round(num(w.holdMs)),
    })),
    latency: aroundUpdate(samples, { from: d.from, to: d.to }, windowMs),
  };
}

/**
 * After the load: v4 (methods only) applied — while the writes are read back
 * the first time, which v4 does not change — then `metamorph rollback` back
 * to v3, and every write read back again.
 */
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

interface Outcome {
  readonly tRun: number;
  readonly loadBefore: number;
  readonly loads: Loads;
  readonly delivered: readonly Delivered[];
  readonly verification: Verification;
  readonly rollback: DemoSummary["rollback"];
  readonly restart: RestartMeasurement | null;
  readonly problems: readonly string[];
}

// size: the report is one printout, line after line, in the order a person reads it.
function report(config: DemoConfig, outcome: Outcome): DemoSummary {
  const { log } = config;
  const { loads, verification, rollback, restart, problems } = outcome;
  const samples = loads.samples;
  const failed = samples.filter((s) => !s.ok).length;
  const writes = samples.filter((s) => WRITES.has(s.op)).length;
  const loadMs = samples.reduce((m, s) => Math.max(m, s.end), 0);
  const applied = outcome.delivered.filter((d) => d.name !== "tampered" && d.result.code === 0);
  const tamperedRun = outcome.delivered.find((d) => d.name === "tampered");
  const tamperedAnswer = tamperedRun?.result.answer ?? {};
  const tampered = {
    refused: tamperedRun?.result.code === 1,
    code: String(tamperedAnswer.code ?? (tamperedAnswer.error as Row | undefined)?.code ?? "none"),
    compiled: false,
  };
  const updates = applied.map((d) => summarise(d, samples, config.windowMs));
  mkdirSync(dirname(config.chartPath), { recursive: true });
  writeFileSync(
    config.chartPath,
    latencyChart({
      samples,
      durationMs: Math.max(config.durationMs, loadMs),
      updates: applied.map((d, i) => ({
        name: d.name,
        policy: updates[i]!.policy,
        from: d.from,
        commitAt: d.to,
        to: d.to,
        pauseMs: updates[i]!.pauseMs,
        migrated: updates[i]!.migrated,
      })),
      title: `metamorph picture-server: ${config.workers} workers updated live by signed bundles (${samples.length} requests, ${failed} failed, ${verification.lost} writes lost)`,
      note:
        restart === null
          ? `${config.pictures} pictures per worker, ${config.clients} clients on loopback`
          : `${config.pictures} pictures per worker, ${config.clients} clients on loopback; a stop-save-restart-load upgrade instead: ${Math.round(restart.downtimeMs)} ms down, ${restart.refused} probe requests refused`,
    }),
  );
  const fromHere = relative(process.cwd(), config.chartPath);
  const chart = fromHere.startsWith("..") ? config.chartPath : fromHere;
  const ok =
    problems.length === 0 &&
    failed === 0 &&
    verification.lost === 0 &&
    applied.length === config.updates.filter((u) => u.patch !== "tampered").length &&
    tampered.refused &&
    rollback.ok &&
    rollback.lostWrites === 0;

  log("");
  log(
    `requests        ${samples.length} (${samples.length - writes} reads, ${writes} writes) in ${(loadMs / 1000).toFixed(1)} s, ${Math.round(samples.length / (loadMs / 1000))} req/s`,
  );
  log(`failed          ${failed}`);
  log(
    `lost writes     ${verification.lost} (${loads.acknowledgedWrites} writes acknowledged; ${verification.picturesChecked} pictures and ${config.folders} folder counts per worker read back)`,
  );
  const all = latencyStats(samples);
  log(`latency         p50 ${all.p50} ms, p99 ${all.p99} ms, max ${all.max} ms over the whole run`);
  log("");
  log(
    `${pad("update", 8)}${pad("policy", 13)}${pad("pause", 11)}${pad("held for", 13)}${pad("held", 6)}${pad("migrated", 10)}${pad("cluster", 12)}apply command`,
  );
  for (const u of updates) {
    log(
      `${pad(u.name, 8)}${pad(u.policy, 13)}${pad(ms(u.pauseMs), 11)}${pad(ms(u.holdMs), 13)}${pad(u.held, 6)}${pad(u.migrated, 10)}${pad(ms(u.clusterMs), 12)}${ms(u.applyMs)}`,
    );
  }
  log(
    `(pause and held for: the longest of the ${config.workers} workers; cluster: in the primary, from the request to every worker committed; apply command: the whole \`metamorph apply\` process)`,
  );
  log(
    `v4 (tampered)  ${tampered.refused ? "refused" : "NOT REFUSED"} ${tampered.code}; nothing compiled`,
  );
  log(
    `v4, rollback    v4 applied, rolled back to ${rollback.version}, ${rollback.lostWrites} writes lost`,
  );
  log("");
  log(
    `latency p50 / p99 (n)  ${pad("before", 27)}${pad("during", 27)}after   [±${config.windowMs / 1000} s]`,
  );
  for (const u of updates) {
    log(
      `${pad(u.name, 23)} ${pad(lat(u.latency.before), 27)}${pad(lat(u.latency.during), 27)}${lat(u.latency.after)}`,
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
        `metamorph        v2 paused each worker at most ${ms(v2.pauseMs)} (calls held for ${ms(v2.holdMs)}), 0 refused — ` +
          `${Math.round(restart.downtimeMs / Math.max(v2.holdMs, v2.pauseMs, 0.001))}× shorter than the restart`,
      );
    }
  }
  for (const p of [...problems, ...loads.failures, ...verification.problems].slice(0, 20)) {
    log(`  problem: ${p}`);
  }
  log(`quiescence       ${QUIESCENCE}`);
  log(`chart            ${chart}`);

  const summary: DemoSummary = {
    demo: "picture-server",
    ok,
    requests: samples.length,
    failed,
    lostWrites: verification.lost,
    writesAcknowledged: loads.acknowledgedWrites,
    picturesReadBack: verification.picturesChecked,
    pictures: config.pictures,
    folders: config.folders,
    clients: config.clients,
    workers: config.workers,
    loadMs: round(loadMs),
    requestsPerSecond: Math.round(samples.length / (loadMs / 1000)),
    latency: all,
    updates,
    tampered,
    rollback,
    quiescence: QUIESCENCE,
    restartDowntimeMs: restart === null ? -1 : round(restart.downtimeMs),
    restart:
      restart === null
        ? null
        : (Object.fromEntries(
            Object.entries(restart).map(([k, v]) => [k, round(v)]),
          ) as unknown as RestartMeasurement),
    chart,
    node: process.version,
    machine: {
      cpus: cpus().length,
      loadAverage: [round(outcome.loadBefore), round(loadavg()[0]!)],
    },
    totalMs: round(performance.now() - outcome.tRun),
  };
  if (config.resultPath !== null) {
    mkdirSync(dirname(config.resultPath), { recursive: true });
    writeFileSync(config.resultPath, `${JSON.stringify(summary, null, 2)}\n`);
  }
  return summary;
}
