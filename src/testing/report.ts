/**
 * The report of a migration check: per property, passed (with how many runs
 * really checked something), skipped (and why) or failed with the shrunk
 * counterexample, the seed and the path that replay it — as data, and in words.
 */
import type { PropertyInput, PropertyName } from "./properties/types.js";
import type { ReportedWarning } from "./properties/warningLog.js";

export interface PropertyFailure {
  /** Why the property does not hold for the shrunk counterexample. */
  readonly message: string;
  /** The shrunk counterexample (absent when the property failed before any run). */
  readonly counterexample?: PropertyInput;
  /** The counterexample, one instance a line. */
  readonly counterexampleText?: string;
  readonly seed: number;
  /** With `seed`, replays exactly this counterexample. */
  readonly path?: string;
  readonly shrinks: number;
  /** What the property threw. */
  readonly error?: unknown;
}

export interface PropertyResult {
  readonly name: PropertyName;
  readonly description: string;
  readonly status: "passed" | "failed" | "skipped";
  /** Runs made (up to and including the first failure). */
  readonly runs: number;
  /** Of a passed property's runs, those that really checked something (the others checked nothing, see `vacuous`). */
  readonly checked?: number;
  /** Why the other runs checked nothing: reason → number of runs. */
  readonly vacuous?: Readonly<Record<string, number>>;
  /** A pass with too few checked runs, under `vacuity: "warn"`. */
  readonly warning?: string;
  /** What a passed property could not check in this process, and how to let it (V8 fast mode without --allow-natives-syntax). */
  readonly unchecked?: string;
  /** Time spent on the property (ms), shrinking included. */
  readonly ms: number;
  /** Why the property was skipped. */
  readonly reason?: string;
  readonly failure?: PropertyFailure;
}

export interface MigrationReport {
  readonly ok: boolean;
  readonly patch: string;
  readonly seed: number;
  readonly numRuns: number;
  readonly properties: readonly PropertyResult[];
  /**
   * The warnings the check's updates gave, once per code (the first
   * message): those saying state is lost fail no-silent-loss unless
   * accepted, the others are for the author to read.
   */
  readonly warnings: readonly ReportedWarning[];
}

function indent(text: string, by: string): string {
  return text
    .split("\n")
    .map((line) => by + line)
    .join("\n");
}

/** The report in words: one line per property, and for each failure its counterexample and how to replay it. */
export function formatMigrationReport(report: MigrationReport): string {
  const failed = report.properties.filter((p) => p.status === "failed");
  const head = report.ok
    ? `migration ${report.patch}: every property holds (seed ${report.seed}, ${report.numRuns} runs each)`
    : `migration ${report.patch}: ${failed.length} of ${report.properties.length} properties fail (seed ${report.seed}, ${report.numRuns} runs each)`;
  const lines = [head];
  for (const p of report.properties) {
    if (p.status === "passed") {
      const checked =
        p.checked === undefined || p.checked === p.runs ? "" : `, ${p.checked} checked something`;
      lines.push(`  ✓ ${p.name} (${p.runs} runs${checked}, ${p.ms} ms)`);
      if (p.warning !== undefined) lines.push(indent(`⚠ ${p.warning}`, "      "));
    } else if (p.status === "skipped") lines.push(`  - ${p.name}: skipped, ${p.reason}`);
    else {
      const f = p.failure!;
      lines.push(`  ✗ ${p.name}: ${p.description}`);
      lines.push(indent(f.message, "      "));
      if (f.counterexampleText !== undefined) {
        lines.push(
          `    counterexample (after ${p.runs} run${p.runs === 1 ? "" : "s"}, shrunk ${f.shrinks} time${f.shrinks === 1 ? "" : "s"}):`,
        );
        lines.push(indent(f.counterexampleText, "      "));
      }
      if (f.path !== undefined) {
        lines.push(
          `    replay: checkMigration(patch, { ...options, properties: ["${p.name}"], seed: ${f.seed}, path: "${f.path}" })`,
        );
      }
    }
  }
  lines.push(...uncheckedLines(report.properties));
  if (report.warnings.length > 0) {
    lines.push("  warnings the updates gave:");
    for (const w of report.warnings) lines.push(indent(`${w.code}: ${w.message}`, "    "));
  }
  return lines.join("\n");
}

/** One line per thing left unchecked, naming the properties it concerns. */
function uncheckedLines(properties: readonly PropertyResult[]): string[] {
  const byNote = new Map<string, string[]>();
  for (const p of properties) {
    if (p.unchecked !== undefined)
      byNote.set(p.unchecked, [...(byNote.get(p.unchecked) ?? []), p.name]);
  }
  return [...byNote].map(([note, names]) => `  ℹ ${names.join(", ")}: ${note}`);
}
