/**
 * The shape of bench/results/latest.json, and how it is shown: a console
 * table and the generated BENCHMARKS.md.
 */
import type { Figure } from "./harness.js";

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly arch: string;
  readonly node: string;
  readonly v8: string;
  /** 1, 5 and 15-minute load averages when the run started (other work on the machine skews absolute figures). */
  readonly loadAverage: readonly number[];
}

export interface FigureRecord {
  readonly value: number;
  readonly unit: string;
  readonly baseline?: number;
  readonly ratio?: number;
  readonly note?: string;
  /** The bench module that measured it. */
  readonly module: string;
}

export type ModuleStatus = "ok" | "failed" | "missing";

export interface ModuleRecord {
  readonly status: ModuleStatus;
  /** When the module's figures were measured (ISO date). */
  readonly date: string;
  readonly seconds: number;
  readonly figures: readonly string[];
  readonly error?: string;
  /** 1, 5 and 15-minute load averages when the module started. */
  readonly loadAverage?: readonly number[];
  /** Where the figures came from when not measured by a module of bench/ (the demo). */
  readonly source?: string;
}

export interface BenchResults {
  /** When this file was last written (ISO date). */
  readonly date: string;
  readonly machine: MachineInfo;
  readonly modules: Readonly<Record<string, ModuleRecord>>;
  /** One key per figure. */
  readonly figures: Readonly<Record<string, FigureRecord>>;
}

/** Rounds to 4 significant digits (JSON stays readable; the noise is larger anyway). */
export function significant(value: number, digits = 4): number {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits));
}

export function toRecord(figure: Figure, module: string): FigureRecord {
  return {
    value: significant(figure.value),
    unit: figure.unit,
    ...(figure.baseline === undefined ? {} : { baseline: significant(figure.baseline) }),
    ...(figure.ratio === undefined ? {} : { ratio: significant(figure.ratio, 3) }),
    ...(figure.note === undefined ? {} : { note: figure.note }),
    module,
  };
}

/** The goal a figure's note states for its ratio ("goal: ratio ≥ 0.95" or "(ratio ≥ 0.95 is the goal)"). */
export function ratioGoal(note: string | undefined): number | undefined {
  if (!note) return undefined;
  const match = /goal: ratio ≥ ([0-9.]+)|ratio ≥ ([0-9.]+) is the goal/.exec(note);
  const text = match?.[1] ?? match?.[2];
  return text === undefined ? undefined : Number(text);
}

/** "✓", "✗" or "" when the figure has no goal. */
export function goalMark(figure: FigureRecord): string {
  const goal = ratioGoal(figure.note);
  if (goal === undefined || figure.ratio === undefined) return "";
  return figure.ratio >= goal ? `✓ ≥ ${goal}` : `✗ < ${goal}`;
}

export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs === 0) return "0";
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

const formatRatio = (ratio: number | undefined) =>
  ratio === undefined
    ? ""
    : ratio >= 100
      ? `${Math.round(ratio)}×`
      : `${ratio.toFixed(ratio >= 10 ? 1 : 3)}`;

/** The figures as a plain-text table for the console. */
export function renderTable(results: BenchResults, modules: readonly string[]): string {
  const rows: string[][] = [["figure", "value", "baseline", "ratio", "goal"]];
  for (const name of modules) {
    for (const key of results.modules[name]?.figures ?? []) {
      const f = results.figures[key];
      if (!f) continue;
      rows.push([
        key,
        `${formatNumber(f.value)} ${f.unit}`,
        f.baseline === undefined ? "" : `${formatNumber(f.baseline)} ${f.unit}`,
        formatRatio(f.ratio),
        goalMark(f),
      ]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [
    line(rows[0]!),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.slice(1).map(line),
  ].join("\n");
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

const MODULE_TITLES: Readonly<Record<string, string>> = {
  objectSwapping: "Object swapping and instance handles (issue 2)",
  instanceFinding: "Finding all instances (issue 2)",
  mop: "Class handles (issue 2)",
  eager: "Eager updates against a hand-written loop: three patch shapes, both finders (issue 13)",
  migration: "Updates: lazy, progressive, methods-only, steady state (issues 3 and 13)",
  demo: "The demo service: pause against a restart (issue 7)",
  page: "The Vite page in Chromium: allocation in one task (issue 15)",
};

/** BENCHMARKS.md, generated from the results. */
export function renderMarkdown(results: BenchResults, moduleOrder: readonly string[]): string {
  const m = results.machine;
  const out: string[] = [];
  out.push("# Benchmarks");
  out.push("");
  out.push(
    `_Generated by \`npm run bench\` (bench/run.ts) from bench/results/latest.json, last written ${results.date}. Do not edit by hand._`,
  );
  out.push("");
  out.push("## Machine");
  out.push("");
  out.push("| CPU | Cores | Memory | OS | Node | V8 | Load average at start (1, 5, 15 min) |");
  out.push("| --- | ---: | ---: | --- | --- | --- | --- |");
  out.push(
    `| ${cell(m.cpu)} | ${m.cores} | ${m.memoryGiB} GiB | ${m.platform} ${m.arch} | ${m.node} | ${m.v8} | ${m.loadAverage.map((l) => l.toFixed(2)).join(", ")} |`,
  );
  out.push("");
  out.push(
    "Absolute times depend on the machine and on whatever else runs on it (see the load average); the ratios are measured against baselines in the same process, interleaved, and travel better.",
  );
  out.push("");
  out.push("## How to reproduce");
  out.push("");
  out.push("```sh");
  out.push("npm install");
  out.push(
    "npm run bench              # every module, each in its own Node process (a few minutes)",
  );
  out.push("npm run bench -- migration # only the modules whose name contains one of the words");
  out.push(
    "npm start                  # the demo; writes examples/picture-server/out/demo.json for the demo figures",
  );
  out.push("```");
  out.push("");
  out.push(
    "bench/run.ts starts every module in a child process of its own (`node --import tsx --expose-gc --allow-natives-syntax`), so JIT state and heap never leak from one module into the next; no flags are needed on the command line. The results go to `bench/results/latest.json` (one key per figure under `figures`, with the machine, and per module the date and status); a filtered run replaces only the figures of the modules it ran.",
  );
  out.push("");
  out.push("## How to read the tables");
  out.push("");
  out.push(
    "- **Value** is what metamorph costs; **Baseline** is the same work done without metamorph (or the reference named in the note), measured in the same run.",
  );
  out.push(
    "- **Ratio** is baseline / value unless the note says otherwise: for costs (times), higher is better and 1 means as fast as the baseline; 0.5 means twice the baseline's time.",
  );
  out.push(
    "- **Goal**: the ratio an issue asks for, when it names one (✓ met, ✗ not met in this run).",
  );
  out.push(
    "- Hot-loop figures (bench/mop.ts, bench/migration.ts) time short samples of subject and baseline interleaved one by one and keep each side's fastest (the code is deterministic; anything slower is interference from the machine); every loop is compiled from a source text of its own, so subject and baseline never share type feedback. Construction figures in one job (`youngOneJob`, `keptOneJob`) run each side in processes of its own, alternating, and keep each side's fastest sample over its processes (with the adaptive finder, the sample in which it switches to the heap query, a few times slower, is not the one kept); the other construction figures keep the median of interleaved samples (allocation cost includes its garbage collection). One-shot figures (an update of 10^6 objects) are medians of fresh repetitions after a full garbage collection, with their spread in the note.",
  );
  out.push("");

  const missedGoals = moduleOrder.flatMap((name) =>
    (results.modules[name]?.figures ?? []).filter((key) => {
      const f = results.figures[key];
      return f !== undefined && goalMark(f).startsWith("✗");
    }),
  );
  if (missedGoals.length > 0) {
    out.push(`**Goals not met in this run:** ${missedGoals.map((k) => `\`${k}\``).join(", ")}.`);
    out.push("");
  }

  for (const name of moduleOrder) {
    const mod = results.modules[name];
    if (!mod) continue;
    out.push(`## ${MODULE_TITLES[name] ?? name}`);
    out.push("");
    const load = mod.loadAverage
      ? `, load average ${mod.loadAverage.map((l) => l.toFixed(2)).join(", ")} at start`
      : "";
    const when = `module \`${name}\`, ${mod.status === "ok" ? "measured" : mod.status} ${mod.date}${mod.seconds > 0 ? ` in ${mod.seconds.toFixed(0)} s` : ""}${load}${mod.source ? `, from ${mod.source}` : ""}`;
    out.push(`_${when}._`);
    out.push("");
    if (mod.status !== "ok") {
      out.push(`No figures: ${cell(mod.error ?? mod.status)}`);
      out.push("");
      continue;
    }
    out.push("| Figure | Value | Baseline | Ratio | Goal | What is measured |");
    out.push("| --- | ---: | ---: | ---: | :---: | --- |");
    for (const key of mod.figures) {
      const f = results.figures[key];
      if (!f) continue;
      out.push(
        `| \`${key}\` | ${formatNumber(f.value)} ${f.unit} | ${f.baseline === undefined ? "" : `${formatNumber(f.baseline)} ${f.unit}`} | ${formatRatio(f.ratio)} | ${goalMark(f)} | ${cell(f.note ?? "")} |`,
      );
    }
    out.push("");
  }
  return `${out.join("\n")}\n`;
}
