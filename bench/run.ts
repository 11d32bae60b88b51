/**
 * `npm run bench [-- word ...]`: runs every bench module (or those whose name
 * contains one of the words), each in a Node process of its own started with
 * --expose-gc and --allow-natives-syntax, so that JIT state and heap never
 * leak from one module into the next and no flags are needed on the command
 * line. Prints a table, writes bench/results/latest.json (one key per figure,
 * plus the machine) and regenerates BENCHMARKS.md.
 *
 * The demo's figures (pause of each update against a restart's downtime) come
 * from examples/picture-server/out/demo.json when `npm start` has written it.
 */
import { fork } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchModule, Figure } from "./harness.js";
import {
  type BenchResults,
  type FigureRecord,
  type MachineInfo,
  type ModuleRecord,
  renderMarkdown,
  renderTable,
  toRecord,
} from "./report.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const resultsDir = join(here, "results");
const latestPath = join(resultsDir, "latest.json");
const demoPath = join(root, "examples/picture-server/out/demo.json");
const markdownPath = join(root, "BENCHMARKS.md");

/** Bench modules in report order: file in bench/ and the name of the BenchModule it exports. */
const MODULES = [
  { name: "objectSwapping", file: "objectSwapping.ts" },
  { name: "instanceFinding", file: "instanceFinding.ts" },
  { name: "heapQuery", file: "heapQuery.ts" },
  { name: "mop", file: "mop.ts" },
  { name: "eager", file: "eagerShapes.ts" },
  { name: "migration", file: "migration.ts" },
  { name: "dev", file: "dev.ts" },
  { name: "page", file: "page.ts" },
] as const;
const DEMO = "demo";
const ORDER = [...MODULES.map((m) => m.name), DEMO];

/** A module that runs longer than this is stopped and reported as failed. */
const MODULE_TIMEOUT_MS = 240_000;
const CHILD_FLAG = "--bench-child";
const CHILD_EXEC_ARGV = ["--import", "tsx", "--expose-gc", "--allow-natives-syntax"];

type ChildMessage = { ok: true; figures: Figure[] } | { ok: false; error: string };

function isBenchModule(value: unknown): value is BenchModule {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as BenchModule).name === "string" &&
    typeof (value as BenchModule).run === "function"
  );
}

/** Loads a module's file and finds its BenchModule export (by name, else the only one). */
async function loadModule(name: string, file: string): Promise<BenchModule> {
  const exports = (await import(pathToFileURL(join(here, file)).href)) as Record<string, unknown>;
  const modules = Object.values(exports).filter(isBenchModule);
  const found =
    modules.find((m) => m.name === name) ?? (modules.length === 1 ? modules[0] : undefined);
  if (!found) throw new Error(`bench/${file} exports no BenchModule named "${name}"`);
  return found;
}

/** Child side: run one module and send its figures to the parent. */
async function runChild(name: string): Promise<void> {
  const spec = MODULES.find((m) => m.name === name);
  let message: ChildMessage;
  try {
    if (!spec) throw new Error(`no bench module named ${name}`);
    const module = await loadModule(spec.name, spec.file);
    const figures = await module.run();
    message = { ok: true, figures: [...figures] };
  } catch (error) {
    message = { ok: false, error: (error as Error)?.stack ?? String(error) };
  }
  process.send?.(message, () => process.exit(0));
}

interface ModuleOutcome {
  readonly record: ModuleRecord;
  readonly figures: Readonly<Record<string, FigureRecord>>;
}

function failed(status: "failed" | "missing", error: string, seconds = 0): ModuleOutcome {
  return {
    record: { status, date: new Date().toISOString(), seconds, figures: [], error },
    figures: {},
  };
}

/** Parent side: one child process per module. */
function runIsolated(name: string, file: string): Promise<ModuleOutcome> {
  if (!existsSync(join(here, file))) {
    return Promise.resolve(failed("missing", `bench/${file} does not exist yet`));
  }
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const loadAverage = loadavg().map((l) => Math.round(l * 100) / 100);
  return new Promise((resolve) => {
    let message: ChildMessage | undefined;
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, name], {
      cwd: root,
      execArgv: CHILD_EXEC_ARGV,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const timer = setTimeout(() => {
      message = { ok: false, error: `stopped after ${MODULE_TIMEOUT_MS / 1000} s` };
      child.kill("SIGKILL");
    }, MODULE_TIMEOUT_MS);
    child.on("message", (m) => {
      message ??= m as ChildMessage;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (message?.ok) {
        const figures: Record<string, FigureRecord> = {};
        for (const f of message.figures) figures[f.key] = toRecord(f, name);
        resolve({
          record: {
            status: "ok",
            date: new Date().toISOString(),
            seconds: seconds(),
            figures: message.figures.map((f) => f.key),
            loadAverage,
          },
          figures,
        });
        return;
      }
      const why =
        message?.error ?? `the process exited with ${signal ?? `code ${code}`} before reporting`;
      resolve(failed("failed", why, seconds()));
    });
  });
}

/** The shape the demo writes (the last line `npm start` prints). */
interface DemoReport {
  readonly requests?: number;
  readonly failed?: number;
  readonly lostWrites?: number;
  readonly restartDowntimeMs?: number;
  readonly updates?: readonly {
    readonly name?: string;
    readonly policy?: string;
    readonly pauseMs?: number;
    readonly migrated?: number;
    /** Progressive: the longest the service could not run, commit or sweep slice. */
    readonly longestBlockMs?: number;
    readonly sweepMs?: number;
    readonly latency?: Readonly<Record<string, { readonly p99?: number }>>;
  }[];
}

function demoFigures(): ModuleOutcome {
  if (!existsSync(demoPath)) {
    return failed(
      "missing",
      `${relative(root, demoPath)} does not exist; \`npm start\` (the demo) writes it`,
    );
  }
  let demo: DemoReport;
  try {
    demo = JSON.parse(readFileSync(demoPath, "utf8")) as DemoReport;
  } catch (error) {
    return failed("failed", `${relative(root, demoPath)} is not JSON: ${(error as Error).message}`);
  }
  const figures: Figure[] = [];
  const restart = demo.restartDowntimeMs;
  for (const [i, u] of (demo.updates ?? []).entries()) {
    if (typeof u.pauseMs !== "number") continue;
    const name = (u.name ?? `update${i + 1}`).replace(/[^A-Za-z0-9_-]/g, "_");
    const what = `pause of the demo's update ${u.name ?? i + 1} (${u.policy ?? "?"} policy, ${u.migrated ?? "?"} instances migrated) while the service kept answering`;
    figures.push(
      typeof restart === "number"
        ? {
            key: `demo.${name}.pause`,
            value: u.pauseMs,
            unit: "ms",
            baseline: restart,
            ratio: restart / u.pauseMs,
            note: `${what}; baseline: the downtime of a restart (stop, save state, start the new version, load state); ratio = restart downtime / pause, higher is better`,
          }
        : { key: `demo.${name}.pause`, value: u.pauseMs, unit: "ms", note: what },
    );
    if (typeof u.longestBlockMs === "number" && u.longestBlockMs !== u.pauseMs) {
      figures.push({
        key: `demo.${name}.longestBlock`,
        value: u.longestBlockMs,
        unit: "ms",
        note: `longest time the service could not run during update ${u.name ?? i + 1}, the commit or a slice of the ${u.policy ?? ""} sweep${typeof u.sweepMs === "number" ? ` (the sweep took ${u.sweepMs.toFixed(0)} ms)` : ""}`,
      });
    }
    const before = u.latency?.before?.p99;
    const during = u.latency?.during?.p99;
    if (typeof before === "number" && typeof during === "number") {
      figures.push({
        key: `demo.${name}.p99During`,
        value: during,
        unit: "ms",
        baseline: before,
        ratio: before / during,
        note: `p99 request latency while update ${u.name ?? i + 1} ran; baseline: p99 before it; ratio = baseline / value, higher is better`,
      });
    }
  }
  if (typeof restart === "number") {
    figures.push({
      key: "demo.restartDowntime",
      value: restart,
      unit: "ms",
      note: "what users do today: stop the service, save its state to disk, start the new version, load the state back",
    });
  }
  for (const [key, value, note] of [
    ["demo.requests", demo.requests, "requests served during the demo's load run"],
    ["demo.failedRequests", demo.failed, "failed requests during the demo (must be 0)"],
    [
      "demo.lostWrites",
      demo.lostWrites,
      "acknowledged writes not read back at the end (must be 0)",
    ],
  ] as const) {
    if (typeof value === "number") figures.push({ key, value, unit: "count", note });
  }
  const out: Record<string, FigureRecord> = {};
  for (const f of figures) out[f.key] = toRecord(f, DEMO);
  return {
    record: {
      status: "ok",
      date: statSync(demoPath).mtime.toISOString(),
      seconds: 0,
      figures: figures.map((f) => f.key),
      source: relative(root, demoPath),
    },
    figures: out,
  };
}

function machine(): MachineInfo {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? "unknown",
    cores: cores.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: process.platform,
    arch: process.arch,
    node: process.version,
    v8: process.versions.v8,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

function previousResults(): BenchResults | undefined {
  try {
    return JSON.parse(readFileSync(latestPath, "utf8")) as BenchResults;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const words = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const selected = ORDER.filter(
    (name) => words.length === 0 || words.some((w) => name.toLowerCase().includes(w.toLowerCase())),
  );
  if (selected.length === 0) {
    console.error(`no bench module matches ${words.join(" ")}; modules: ${ORDER.join(", ")}`);
    process.exitCode = 2;
    return;
  }
  const info = machine();
  console.log(
    `metamorph benchmarks — ${info.cpu}, ${info.cores} cores, Node ${info.node} (V8 ${info.v8}), load ${info.loadAverage.join(" ")}`,
  );
  const previous = previousResults();
  const modules: Record<string, ModuleRecord> = { ...(previous?.modules ?? {}) };
  const figures: Record<string, FigureRecord> = { ...(previous?.figures ?? {}) };
  const started = performance.now();
  for (const name of selected) {
    process.stdout.write(`▶ ${name} … `);
    const spec = MODULES.find((m) => m.name === name);
    const outcome = spec ? await runIsolated(spec.name, spec.file) : demoFigures();
    // A module's figures replace all it reported before.
    for (const key of modules[name]?.figures ?? []) delete figures[key];
    for (const [key, f] of Object.entries(figures)) if (f.module === name) delete figures[key];
    modules[name] = outcome.record;
    Object.assign(figures, outcome.figures);
    const r = outcome.record;
    console.log(
      r.status === "ok"
        ? `${r.figures.length} figures${r.seconds > 0 ? ` in ${r.seconds.toFixed(1)} s` : ""}`
        : `${r.status}: ${r.error?.split("\n")[0]}`,
    );
    if (r.status === "failed") console.error(r.error);
  }
  const results: BenchResults = {
    date: new Date().toISOString(),
    machine: info,
    modules: Object.fromEntries(ORDER.filter((n) => modules[n]).map((n) => [n, modules[n]!])),
    figures,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(latestPath, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(markdownPath, renderMarkdown(results, ORDER));
  console.log("");
  console.log(renderTable(results, selected));
  console.log("");
  console.log(
    `${((performance.now() - started) / 1000).toFixed(0)} s; wrote ${relative(root, latestPath)} and ${relative(root, markdownPath)}`,
  );
  if (selected.some((n) => modules[n]?.status === "failed")) process.exitCode = 1;
}

if (process.argv[2] === CHILD_FLAG) await runChild(process.argv[3] ?? "");
else await main();
