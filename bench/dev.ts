/**
 * `metamorph dev` beside `tsx` on the same programs (issue 15), each run as a
 * user would run it — compiled metamorph (dist/, built here first when older
 * than src/), tsx's own command line, both started with `node` directly (no
 * npx):
 * - start-up: time from spawning to the first output of a hello-world `.ts`
 *   (supervised, the default, and with `--no-restart`), rounds interleaved;
 * - allocation-heavy code: 2,000,000 temporaries of a managed class in one
 *   job, time and resident memory reported by the program itself, with the
 *   default (registry) instance finder and with `--instance-finder heap`;
 * - a reload of 200,000 instances: the longest block of the event loop while
 *   the reload migrates progressively, against the pause of the same reload
 *   in one block (`--progressive-above` above the population).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { BenchModule, Figure } from "./harness.js";
import { versus } from "./harness.js";

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
  /** Resolves with the first stdout line matching, and the ms since the spawn. */
  line(pattern: RegExp): Promise<{ text: string; ms: number }>;
  readonly stderr: string[];
}

function start(args: readonly string[], cwd: string, stdin = false): Started {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...args], {
    cwd,
    env: { ...process.env, NODE_OPTIONS: "" },
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
  const line = async (pattern: RegExp) => {
    for (;;) {
      const found = lines.find((l) => pattern.test(l.text));
      if (found) return found;
      if (child.exitCode !== null) {
        throw new Error(`exited before ${pattern}: ${stderr.join("\n")}`);
      }
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
      });
    }
  };
  return { child, line, stderr };
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
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, args] of Object.entries(commands)) {
        const started = start(args, dir);
        const { ms } = await started.line(/^hello$/);
        await stop(started);
        samples[name as keyof typeof commands].push(ms);
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
      `time to the first output of a hello-world .ts, metamorph dev (supervised, the default) against tsx main.ts; median of ${ROUNDS} interleaved rounds (goal: within 1.3× of tsx)`,
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

const ALLOCATE = `import { Vec } from "./vec.js";
const n = 2_000_000;
const t0 = performance.now();
let acc = new Vec(0, 0);
const one = new Vec(1, 1);
for (let i = 0; i < n; i++) acc = acc.add(one);
const ms = performance.now() - t0;
console.log(\`done \${ms} \${process.memoryUsage().rss} \${acc.x}\`);
`;

const ALLOCATION_ROUNDS = 3;

async function allocation(): Promise<Figure[]> {
  const dir = project({ "vec.ts": VEC, "main.ts": ALLOCATE });
  const commands = {
    tsx: [TSX, "main.ts"],
    dev: [BIN, "dev", "main.ts"],
    devHeap: [BIN, "dev", "--instance-finder", "heap", "main.ts"],
  };
  type Name = keyof typeof commands;
  const time: Record<Name, number[]> = { tsx: [], dev: [], devHeap: [] };
  const rss: Record<Name, number[]> = { tsx: [], dev: [], devHeap: [] };
  try {
    for (let round = 0; round < ALLOCATION_ROUNDS; round++) {
      for (const [name, args] of Object.entries(commands)) {
        const started = start(args, dir);
        const { text } = await started.line(/^done /);
        await stop(started);
        const [, ms, bytes] = text.split(" ");
        time[name as Name].push(Number(ms));
        rss[name as Name].push(Number(bytes) / 1e6);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const loop = "2,000,000 temporaries of a managed class in one job (a vector add loop)";
  return [
    versus(
      "dev.allocation2M",
      median(time.dev),
      median(time.tsx),
      "ms",
      `${loop} under metamorph dev (registry finder, the default) against tsx; median of ${ALLOCATION_ROUNDS} (goal: within 1.2×)`,
    ),
    versus(
      "dev.allocation2MRss",
      median(rss.dev),
      median(rss.tsx),
      "MB",
      "resident memory at the end of the same loop (goal: within 1.2×)",
    ),
    versus(
      "dev.allocation2MHeapFinder",
      median(time.devHeap),
      median(time.tsx),
      "ms",
      `${loop} under metamorph dev --instance-finder heap against tsx`,
    ),
    versus(
      "dev.allocation2MHeapFinderRss",
      median(rss.devHeap),
      median(rss.tsx),
      "MB",
      "resident memory at the end of the same loop, --instance-finder heap",
    ),
  ];
}

const DOT = `export class Dot {
  x = 0;
}
`;

const POPULATION = `import { Dot } from "./dot.js";
const dots = Array.from({ length: 200_000 }, () => new Dot());
setInterval(() => dots.length, 1000);
console.log("ready");
`;

/** One reload adding a field to 200,000 objects; the figures from metamorph's own lines. */
async function reloadOnce(above: number): Promise<{ pause: number; block: number }> {
  const dir = project({ "dot.ts": DOT, "main.ts": POPULATION });
  const started = start([BIN, "dev", "--progressive-above", String(above), "main.ts"], dir);
  try {
    await started.line(/^ready$/);
    // Past the runtime's own start-up (it loads the reloader shortly after).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const from = started.stderr.length;
    writeFileSync(join(dir, "dot.ts"), DOT.replace("x = 0;", "x = 0;\n  y = 1;"));
    if (above >= 200_000) {
      const line = await stderrLine(started, /updated Dot .*pause (\d+\.\d+) ms/, from);
      const pause = Number(/pause (\d+\.\d+) ms/.exec(line)![1]);
      return { pause, block: pause };
    }
    const line = await stderrLine(started, /migrated progressively in/, from);
    const pause = Number(/pause (\d+\.\d+) ms/.exec(line)![1]);
    const block = Number(/longest block (\d+) ms/.exec(line)![1]);
    return { pause, block };
  } finally {
    await stop(started);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function progressive(): Promise<Figure[]> {
  const eager = await reloadOnce(1_000_000);
  const sliced = await reloadOnce(1000);
  return [
    versus(
      "dev.reload200kLongestBlock",
      Math.max(sliced.block, sliced.pause),
      eager.pause,
      "ms",
      "a reload adding a field to 200,000 instances: the longest the event loop was blocked when it migrates progressively (above the threshold) against the pause of the same reload in one block",
    ),
  ];
}

export const devBench: BenchModule = {
  name: "dev",
  async run() {
    ensureBuilt();
    return [...(await startup()), ...(await allocation()), ...(await progressive())];
  },
};
