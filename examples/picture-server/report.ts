/** The demo's report: the summary (also demo.json, which the bench reads), the chart, and the printout. */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, relative } from "node:path";
import { latencyChart } from "./chart.js";
import type { DemoConfig } from "./demo.js";
import type { CliResult } from "./delivery.js";
import { POLICIES } from "./delivery.js";
import type { Loads } from "./loads.js";
import { type Sample, type Verification, WRITES } from "./load.js";
import type { RestartMeasurement } from "./restart.js";
import { aroundUpdate, type LatencyStats, latencyStats, round } from "./stats.js";

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

export const ms = (x: number) => `${round(x, x < 10 ? 2 : 1)} ms`;
const pad = (s: string | number, n: number) => String(s).padEnd(n);
const lat = (s: LatencyStats) => (s.n === 0 ? "—" : `${s.p50} / ${s.p99} ms (${s.n})`);
const QUIESCENCE =
  "metamorph lifecycle in each worker: forced quiescence of the classes the bundle changes (held calls wait, none refused)";

export interface Delivered {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly result: CliResult;
}

export type Row = Readonly<Record<string, unknown>>;
export const workersOf = (answer: Row): Row[] =>
  Array.isArray(answer.workers) ? (answer.workers as Row[]) : [];
export const num = (v: unknown) => (typeof v === "number" ? v : 0);

/** Several loads (one per worker: each worker has its own gallery) as one. */
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
export interface Outcome {
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
export function report(config: DemoConfig, outcome: Outcome): DemoSummary {
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
