/**
 * `metamorph dev` beside `tsx` on the same programs (issue 15), each run as a
 * user would run it — compiled metamorph (dist/, built here first when older
 * than src/), tsx's own command line, both started with `node` directly (no
 * npx):
 * - start-up: time from spawning to the first output of a hello-world `.ts`
 *   (supervised, the default, and with `--no-restart`), rounds interleaved;
 * - allocation-heavy code (issue 15 item 1): temporaries of a managed class
 *   made in one job, time and resident memory reported by the program
 *   itself — 2,000,000 and 30,000,000 (which must run to the end) with the
 *   finder dev uses by default and with the heap finder, 2,000,000 with the
 *   registry for comparison; the 30M loop also inside a function, and in the
 *   same module as the class (a single-file program);
 * - a reload of 200,000 instances: the longest block of the event loop while
 *   the reload migrates progressively, against the pause of the same reload
 *   in one block (`--progressive-above` above the population);
 * - a reload of 5,000 instances with each finder: its pause and the time
 *   from the save to the program running the new code.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { BenchModule, Figure } from "./harness.js";
import { versus } from "./harness.js";
import { defaultInstanceFinderKind } from "../src/mop/instances/defaultFinder.js";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const BIN = join(root, "dist/cli/bin.js");
const TSX = join(root, "node_modules/tsx/dist/cli.mjs");

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** dist/ as `npm run build` makes it, rebuilt when a source file is newer. */
function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(BIN).mtimeMs;
  } catch {
    // not built yet
  }
  if (built >= newest(join(root, "src"))) return;
  execFileSync(process.execPath, [join(root, "scripts/build.mjs")], {
    cwd: root,
    stdio: "inherit",
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Started {
  readonly child: ChildProcess;
  /** Resolves with the first stdout line matching (from the `from`th line on), and the ms since the spawn. */
  line(pattern: RegExp, from?: number): Promise<{ text: string; ms: number }>;
  /** How many stdout lines have come so far. */
  lineCount(): number;
  readonly stderr: string[];
}

function start(
  args: readonly string[],
  cwd: string,
  stdin = false,
  env: Record<string, string> = {},
): Started {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...args], {
    cwd,
    env: { ...process.env, NODE_OPTIONS: "", ...env },
    stdio: [stdin ? "pipe" : "ignore", "pipe", "pipe"],
  });
  const lines: { text: string; ms: number }[] = [];
  const stderr: string[] = [];
  const waiters: (() => void)[] = [];
  let partial = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    const ms = performance.now() - t0;
    for (const text of parts) lines.push({ text, ms });
    for (const wake of waiters.splice(0)) wake();
  });
  let errPartial = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (errPartial + chunk).split("\n");
    errPartial = parts.pop()!;
    stderr.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  child.on("exit", () => {
    for (const wake of waiters.splice(0)) wake();
  });
  const line = async (pattern: RegExp, from = 0) => {
    for (;;) {
      const found = lines.slice(from).find((l) => pattern.test(l.text));
      if (found) return found;
      if (child.exitCode !== null) {
        throw new Error(`exited before ${pattern}: ${stderr.join("\n")}`);
      }
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
      });
    }
  };
  return { child, line, lineCount: () => lines.length, stderr };
}

async function stop(started: Started): Promise<void> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** Waits for a stderr line of metamorph matching `pattern`. */
async function stderrLine(started: Started, pattern: RegExp, from: number): Promise<string> {
  const deadline = performance.now() + 120_000;
  for (;;) {
    const found = started.stderr.slice(from).find((l) => pattern.test(l));
    if (found) return found;
    if (performance.now() > deadline)
      throw new Error(`no ${pattern}: ${started.stderr.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "metamorph-bench-dev-"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const ROUNDS = 9;

async function startup(): Promise<Figure[]> {
  const dir = project({ "main.ts": 'console.log("hello");\n' });
  const commands = {
    tsx: [TSX, "main.ts"],
    dev: [BIN, "dev", "main.ts"],
    devNoRestart: [BIN, "dev", "--no-restart", "main.ts"],
  };
  const samples: Record<keyof typeof commands, number[]> = { tsx: [], dev: [], devNoRestart: [] };
  try {
    // Round -1 warms the disk cache and is not counted: its first start
    // would otherwise read every file of tsx and metamorph from disk.
    for (let round = -1; round < ROUNDS; round++) {
      for (const [name, args] of Object.entries(commands)) {
        const started = start(args, dir);
        const { ms } = await started.line(/^hello$/);
        await stop(started);
        if (round >= 0) samples[name as keyof typeof commands].push(ms);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const tsx = median(samples.tsx);
  return [
    versus(
      "dev.startup",
      median(samples.dev),
      tsx,
      "ms",
      `time to the first output of a hello-world .ts, metamorph dev (supervised, the default) against tsx main.ts; median of ${ROUNDS} interleaved rounds after one not counted; goal: ratio ≥ 0.77 (within 1.3× of tsx)`,
    ),
    versus(
      "dev.startupNoRestart",
      median(samples.devNoRestart),
      tsx,
      "ms",
      "the same with --no-restart (no supervisor process)",
    ),
  ];
}

const VEC = `export class Vec {
  constructor(public x: number, public y: number) {}
  add(o: Vec): Vec {
    return new Vec(this.x + o.x, this.y + o.y);
  }
}
`;

/** N temporaries of a managed class in ONE job (no await, no task between them), as a tight loop of a program makes them. */
const ALLOCATE = `import { Vec } from "./vec.js";
const n = Number(process.env.TEMPORARIES);
const t0 = performance.now();
let acc = new Vec(0, 0);
const one = new Vec(1, 1);
for (let i = 0; i < n; i++) acc = acc.add(one);
const ms = performance.now() - t0;
console.log(\`done \${ms} \${process.memoryUsage().rss} \${acc.x}\`);
`;

// Five: a 2M loop lasts ~20 ms, and with three the median of either side moved by 10 %
// between runs (tsx 16–19.5 ms), enough to put the ratio on either side of its goal.
const ALLOCATION_ROUNDS = 5;
const TWO_MILLION = 2_000_000;
const THIRTY_MILLION = 30_000_000;

interface Loop {
  /** ms of the loop, as the program measured it. */
  readonly ms: number;
  /** Resident MB at the end of the loop. */
  readonly rss: number;
}

/** One run of the allocation program; undefined when it did not print its line (it crashed). */
async function allocateOnce(
  args: readonly string[],
  dir: string,
  temporaries: number,
): Promise<Loop | undefined> {
  const started = start(args, dir, false, { TEMPORARIES: String(temporaries) });
  try {
    const { text } = await started.line(/^done /);
    const [, ms, bytes] = text.split(" ");
    return { ms: Number(ms), rss: Number(bytes) / 1e6 };
  } catch {
    return undefined;
  } finally {
    await stop(started);
  }
}

/** Medians over interleaved rounds, per command; a command whose run crashed has none. */
async function allocationRounds(
  commands: Record<string, readonly string[]>,
  dir: string,
  temporaries: number,
): Promise<Record<string, Loop | undefined>> {
  const runs: Record<string, Loop[]> = {};
  const crashed = new Set<string>();
  for (let round = 0; round < ALLOCATION_ROUNDS; round++) {
    for (const [name, args] of Object.entries(commands)) {
      if (crashed.has(name)) continue;
      const loop = await allocateOnce(args, dir, temporaries);
      if (loop === undefined) crashed.add(name);
      else (runs[name] ??= []).push(loop);
    }
  }
  const out: Record<string, Loop | undefined> = {};
  for (const name of Object.keys(commands)) {
    const loops = runs[name];
    out[name] =
      crashed.has(name) || loops === undefined
        ? undefined
        : { ms: median(loops.map((l) => l.ms)), rss: median(loops.map((l) => l.rss)) };
  }
  return out;
}

/** A row for a run that did not reach its end: no value to compare, ratio 0 so the goal shows ✗. */
function crashedFigure(key: string, baseline: number, unit: string, note: string): Figure {
  return { key, value: Number.NaN, unit, baseline, ratio: 0, note };
}

/**
 * Issue 15 item 1: allocation-heavy code under `metamorph dev` with the
 * finder it uses by default, beside the same program under tsx — time and
 * resident memory at 2M temporaries in one job, and whether 30M in one job
 * run to the end at all; the registry at 2M for comparison.
 */
async function allocation(): Promise<Figure[]> {
  const dir = project({ "vec.ts": VEC, "main.ts": ALLOCATE });
  // The default's choice, not the backend answering now: the adaptive finder starts as the registry.
  const finder = defaultInstanceFinderKind();
  const commands = {
    tsx: [TSX, "main.ts"],
    dev: [BIN, "dev", "--no-restart", "main.ts"],
    devRegistry: [BIN, "dev", "--no-restart", "--instance-finder", "registry", "main.ts"],
    devHeap: [BIN, "dev", "--no-restart", "--instance-finder", "heap", "main.ts"],
  };
  const figures: Figure[] = [];
  try {
    const two = await allocationRounds(commands, dir, TWO_MILLION);
    // 30M under the registry end in a V8 abort after taking gigabytes: not run on a shared machine.
    const thirtyCommands: Record<string, readonly string[]> =
      finder === "registry"
        ? { tsx: commands.tsx, devHeap: commands.devHeap }
        : { tsx: commands.tsx, dev: commands.dev, devHeap: commands.devHeap };
    const thirty = await allocationRounds(thirtyCommands, dir, THIRTY_MILLION);
    const tsx2 = two.tsx!;
    const tsx30 = thirty.tsx!;
    const loop = (n: string) =>
      `${n} temporaries of a managed class in one job (a vector add loop)`;
    const goal = "goal: ratio ≥ 0.83 (within 1.2× of tsx)";
    const pair = (
      key: string,
      ran: Loop | undefined,
      base: Loop,
      what: string,
      withGoal: boolean,
    ) => {
      const note = `${what}; median of ${ALLOCATION_ROUNDS}${withGoal ? `; ${goal}` : ""}`;
      if (ran === undefined)
        return [crashedFigure(key, base.ms, "ms", `${note} — did NOT run to the end`)];
      return [
        versus(key, ran.ms, base.ms, "ms", note),
        versus(
          `${key}Rss`,
          ran.rss,
          base.rss,
          "MB",
          `resident memory at the end of the same loop${withGoal ? `; ${goal}` : ""}`,
        ),
      ];
    };
    figures.push(
      ...pair(
        "dev.allocation2M",
        two.dev,
        tsx2,
        `${loop("2,000,000")} under metamorph dev (its default finder here: ${finder}) against tsx`,
        true,
      ),
    );
    if (finder === "registry") {
      figures.push(
        crashedFigure(
          "dev.allocation30M",
          tsx30.ms,
          "ms",
          `${loop("30,000,000")} under metamorph dev (default finder here: registry) against tsx; not run: the registry keeps each temporary alive until the job ends and V8 aborts past ~2^24 of them (Heap::KeepDuringJob); goal: ratio ≥ 0.83`,
        ),
      );
    } else {
      figures.push(
        ...pair(
          "dev.allocation30M",
          thirty.dev,
          tsx30,
          `${loop("30,000,000")} under metamorph dev (its default finder here: ${finder}) against tsx: must run to the end`,
          true,
        ),
      );
    }
    figures.push(
      ...pair(
        "dev.allocation2MHeapFinder",
        two.devHeap,
        tsx2,
        `${loop("2,000,000")} under metamorph dev --instance-finder heap against tsx`,
        true,
      ),
      ...pair(
        "dev.allocation30MHeapFinder",
        thirty.devHeap,
        tsx30,
        `${loop("30,000,000")} under metamorph dev --instance-finder heap against tsx: must run to the end`,
        true,
      ),
      ...pair(
        "dev.allocation2MRegistry",
        two.devRegistry,
        tsx2,
        `${loop("2,000,000")} under metamorph dev --instance-finder registry (the browser's finder) against tsx, for comparison`,
        false,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

/** The same loop inside a function: its bindings are locals, out of reach of the module-scope evaluator metamorph dev adds to every module. */
const ALLOCATE_IN_FUNCTION = `import { Vec } from "./vec.js";
function loop(n: number): [number, number] {
  const t0 = performance.now();
  let acc = new Vec(0, 0);
  const one = new Vec(1, 1);
  for (let i = 0; i < n; i++) acc = acc.add(one);
  return [performance.now() - t0, acc.x];
}
const [ms, x] = loop(Number(process.env.TEMPORARIES));
console.log(\`done \${ms} \${process.memoryUsage().rss} \${x}\`);
`;

/**
 * The 30M loop of allocation() written inside a function. Under metamorph
 * dev every module used to get a direct \`eval\` closure (reloads compiled
 * code in the module's scope), which made V8 keep all of the module's
 * top-level bindings in its context: a top-level loop then stored every
 * temporary there, where a loop in a function keeps it in a register. Now a
 * module hands over accessors for the bindings later code may use only
 * (src/dev/scopeAccess.ts); these rows keep the loop in a function beside
 * the goal rows' top-level loop, to show the two now cost the same.
 */
async function allocationInFunction(): Promise<Figure[]> {
  const dir = project({ "vec.ts": VEC, "main.ts": ALLOCATE_IN_FUNCTION });
  try {
    const runs = await allocationRounds(
      {
        tsx: [TSX, "main.ts"],
        dev: [BIN, "dev", "--no-restart", "main.ts"],
        devHeap: [BIN, "dev", "--no-restart", "--instance-finder", "heap", "main.ts"],
      },
      dir,
      THIRTY_MILLION,
    );
    const tsx = runs.tsx!;
    const row = (key: string, ran: Loop | undefined, how: string): Figure =>
      ran === undefined
        ? crashedFigure(key, tsx.ms, "ms", `${how} — did NOT run to the end`)
        : versus(key, ran.ms, tsx.ms, "ms", `${how}; median of ${ALLOCATION_ROUNDS}`);
    return [
      row(
        "dev.allocation30MInFunction",
        runs.dev,
        `30,000,000 temporaries of a managed class in one job, the loop inside a function (dev.allocation30M's loop is at the module's top level), under metamorph dev (default finder: ${defaultInstanceFinderKind()}) against tsx`,
      ),
      row(
        "dev.allocation30MInFunctionHeapFinder",
        runs.devHeap,
        "the same under metamorph dev --instance-finder heap against tsx",
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A single-file program: the class and the top-level loop in one module (the module that declares the class is the one whose scope reloads reach). */
const ALLOCATE_SINGLE_FILE = `${VEC.replace("export ", "")}${ALLOCATE.replace(/^import .*\n/, "")}`;

/** The 30M top-level loop in the module that declares the class, under metamorph dev (heap finder) and tsx. */
async function allocationSingleFile(): Promise<Figure[]> {
  const dir = project({ "main.ts": ALLOCATE_SINGLE_FILE });
  try {
    const runs = await allocationRounds(
      {
        tsx: [TSX, "main.ts"],
        devHeap: [BIN, "dev", "--no-restart", "--instance-finder", "heap", "main.ts"],
      },
      dir,
      THIRTY_MILLION,
    );
    const tsx = runs.tsx!;
    const how =
      "30,000,000 temporaries of a managed class in one job, class and top-level loop in ONE module, under metamorph dev --instance-finder heap against tsx";
    const key = "dev.allocation30MSingleFileHeapFinder";
    return [
      runs.devHeap === undefined
        ? crashedFigure(key, tsx.ms, "ms", `${how} — did NOT run to the end`)
        : versus(
            key,
            runs.devHeap.ms,
            tsx.ms,
            "ms",
            `${how}; median of ${ALLOCATION_ROUNDS}; goal: ratio ≥ 0.83 (within 1.2× of tsx)`,
          ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const DOT = `export class Dot {
  x = 0;
}
`;

const POPULATION = (n: number) => `import { Dot } from "./dot.js";
const dots = Array.from({ length: ${n} }, () => new Dot());
setInterval(() => dots.length, 1000);
console.log("ready");
`;

/** The allocation loop, run when a line comes on stdin: after a save under metamorph dev. */
const ALLOCATE_ON_GO = `import { createInterface } from "node:readline";
import { Vec } from "./vec.js";
console.log("ready");
createInterface({ input: process.stdin }).once("line", () => {
  const n = Number(process.env.TEMPORARIES);
  const before = process.memoryUsage().rss;
  const t0 = performance.now();
  let acc = new Vec(0, 0);
  const one = new Vec(1, 1);
  for (let i = 0; i < n; i++) acc = acc.add(one);
  const ms = performance.now() - t0;
  console.log(\`done \${ms} \${process.memoryUsage().rss} \${acc.x} \${before}\`);
  process.exit(0);
});
`;

/** Vec as saved: the same class with `add` written another way (every save of a class installs a new implementation). */
const VEC_SAVED = VEC.replace("this.x + o.x, this.y + o.y", "o.x + this.x, o.y + this.y");

/** A loop run after a save, with the resident memory before it began (MB). */
type SavedLoop = Loop & { readonly rssBefore: number };

/** One run of ALLOCATE_ON_GO; under metamorph dev `save` first saves VEC_SAVED and waits for the reload. */
async function allocateAfterSave(args: readonly string[], save: boolean): Promise<SavedLoop> {
  const dir = project({ "vec.ts": save ? VEC : VEC_SAVED, "main.ts": ALLOCATE_ON_GO });
  const started = start(args, dir, true, { TEMPORARIES: String(TWO_MILLION) });
  try {
    await started.line(/^ready$/);
    if (save) {
      const from = started.stderr.length;
      writeFileSync(join(dir, "vec.ts"), VEC_SAVED);
      await stderrLine(started, /updated Vec/, from);
    }
    started.child.stdin!.write("go\n");
    const [, ms, bytes, , before] = (await started.line(/^done /)).text.split(" ");
    return { ms: Number(ms), rss: Number(bytes) / 1e6, rssBefore: Number(before) / 1e6 };
  } finally {
    await stop(started);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Issue 15 item 1 after a save: the 2M loop of allocation(), run once the
 * class has been saved and reloaded under metamorph dev, against tsx running
 * the saved class from the start. Every construction then goes through the
 * new implementation (src/mop/stableClass.ts).
 */
async function allocationAfterSave(): Promise<Figure[]> {
  const dev: SavedLoop[] = [];
  const tsx: SavedLoop[] = [];
  for (let round = 0; round < ALLOCATION_ROUNDS; round++) {
    tsx.push(await allocateAfterSave([TSX, "main.ts"], false));
    dev.push(await allocateAfterSave([BIN, "dev", "--no-restart", "main.ts"], true));
  }
  const m = (loops: SavedLoop[], key: keyof SavedLoop) => median(loops.map((l) => l[key]));
  return [
    versus(
      "dev.allocation2MAfterSave",
      m(dev, "ms"),
      m(tsx, "ms"),
      "ms",
      `2,000,000 temporaries of a managed class in one job under metamorph dev (default finder), run after the class was saved and reloaded, against tsx running the saved class; median of ${ALLOCATION_ROUNDS}; goal: ratio ≥ 0.83 (within 1.2× of tsx)`,
    ),
    versus(
      "dev.allocation2MAfterSaveRss",
      m(dev, "rss"),
      m(tsx, "rss"),
      "MB",
      `resident memory at the end of the same loop: ${m(dev, "rssBefore").toFixed(1)} MB of it before the loop began (tsx: ${m(tsx, "rssBefore").toFixed(1)} MB) — the update engine, the parser and the saved module's code, which the reload loaded — so the loop itself grew it by ${(m(dev, "rss") - m(dev, "rssBefore")).toFixed(1)} MB (tsx: ${(m(tsx, "rss") - m(tsx, "rssBefore")).toFixed(1)} MB); no goal: dev.allocation2MRss is the allocation's`,
    ),
  ];
}

interface Reload {
  /** The update's pause, from metamorph's line. */
  readonly pause: number;
  /** The longest block of a progressive reload (its pause when eager). */
  readonly block: number;
  /** From the save to metamorph's line saying the program runs the new code (debounce included). */
  readonly latency: number;
}

/** One reload adding a field to `population` objects; the figures from metamorph's own lines. */
async function reloadOnce(
  population: number,
  above: number,
  finderArgs: readonly string[] = [],
): Promise<Reload> {
  const dir = project({ "dot.ts": DOT, "main.ts": POPULATION(population) });
  const started = start(
    [BIN, "dev", "--no-restart", ...finderArgs, "--progressive-above", String(above), "main.ts"],
    dir,
  );
  try {
    await started.line(/^ready$/);
    // Past the runtime's own start-up (it loads the reloader shortly after).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const from = started.stderr.length;
    const saved = performance.now();
    writeFileSync(join(dir, "dot.ts"), DOT.replace("x = 0;", "x = 0;\n  y = 1;"));
    if (above >= population) {
      const line = await stderrLine(started, /updated Dot .*pause (\d+\.\d+) ms/, from);
      const latency = performance.now() - saved;
      const pause = Number(/pause (\d+\.\d+) ms/.exec(line)![1]);
      return { pause, block: pause, latency };
    }
    const line = await stderrLine(started, /migrated progressively in/, from);
    const pause = Number(/pause (\d+\.\d+) ms/.exec(line)![1]);
    const block = Number(/longest block (\d+) ms/.exec(line)![1]);
    return { pause, block, latency: performance.now() - saved };
  } finally {
    await stop(started);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same save under `tsx watch`: from the save to the restarted program's
 * "ready" (its objects built again from scratch, their state gone) — the
 * time the program does not run, beside which a reload's longest block reads.
 */
async function tsxRestart(population: number): Promise<number> {
  const dir = project({ "dot.ts": DOT, "main.ts": POPULATION(population) });
  const started = start([TSX, "watch", "--clear-screen=false", "main.ts"], dir);
  try {
    await started.line(/ready$/);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const from = started.lineCount();
    const saved = performance.now();
    writeFileSync(join(dir, "dot.ts"), DOT.replace("x = 0;", "x = 0;\n  y = 1;"));
    await started.line(/ready$/, from);
    return performance.now() - saved;
  } finally {
    await stop(started);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function progressive(): Promise<Figure[]> {
  const eager = await reloadOnce(200_000, 1_000_000);
  const sliced = await reloadOnce(200_000, 1000);
  const restart = await tsxRestart(200_000);
  return [
    versus(
      "dev.reload200kLongestBlockVsTsx",
      Math.max(sliced.block, sliced.pause),
      restart,
      "ms",
      "the same progressive reload's longest block (the program runs between its slices, its 200,000 objects and their state kept), against the same save under tsx watch: from the save to the restarted program's first output, during which the program does not run and its objects are built again from nothing",
    ),
    versus(
      "dev.reload200kLongestBlock",
      Math.max(sliced.block, sliced.pause),
      eager.pause,
      "ms",
      "a reload adding a field to 200,000 instances made in one job (so the default finder has switched to the heap query): the longest the event loop was blocked when it migrates progressively (above the threshold), the count's heap query included, against the pause of the same reload in one block (its heap query runs before the pause and is not in this baseline)",
    ),
  ];
}

const RELOAD_ROUNDS = 3;

/**
 * What a reload costs with each finder: with the heap finder every reload
 * queries the heap (full collections and a walk of it), with the registry it
 * reads its lists. 5,000 instances, eager; rounds interleaved, medians.
 */
async function reloadByFinder(): Promise<Figure[]> {
  const heap: Reload[] = [];
  const registry: Reload[] = [];
  for (let round = 0; round < RELOAD_ROUNDS; round++) {
    heap.push(await reloadOnce(5000, 1_000_000, ["--instance-finder", "heap"]));
    registry.push(await reloadOnce(5000, 1_000_000, ["--instance-finder", "registry"]));
  }
  const m = (rs: Reload[], key: keyof Reload) => median(rs.map((r) => r[key]));
  const what = "a reload adding a field to 5,000 instances (eager)";
  return [
    versus(
      "dev.reload5kPauseHeapFinder",
      m(heap, "pause"),
      m(registry, "pause"),
      "ms",
      `${what}: its pause with --instance-finder heap (the heap query is in it) against the same with the registry; median of ${RELOAD_ROUNDS}`,
    ),
    versus(
      "dev.reload5kLatencyHeapFinder",
      m(heap, "latency"),
      m(registry, "latency"),
      "ms",
      `${what}: from the save to the line saying the program runs the new code (40 ms debounce included), heap finder against registry; median of ${RELOAD_ROUNDS}`,
    ),
  ];
}

export const devBench: BenchModule = {
  name: "dev",
  async run() {
    ensureBuilt();
    return [
      ...(await startup()),
      ...(await allocation()),
      ...(await allocationInFunction()),
      ...(await allocationSingleFile()),
      ...(await allocationAfterSave()),
      ...(await progressive()),
      ...(await reloadByFinder()),
    ];
  },
};
