/**
 * Benchmark plumbing shared by every bench module: each figure is measured
 * next to a baseline in the same run, and the ratio is what we publish.
 */
import { performance } from "node:perf_hooks";

export interface Figure {
  /** Stable key in bench/results/latest.json, e.g. "mop.handleConstruction". */
  readonly key: string;
  readonly value: number;
  readonly unit: string;
  /** The same measurement for what users would do without metamorph, when there is one. */
  readonly baseline?: number;
  /** baseline / value for speeds (higher is better, 1 = as fast as the baseline), stated in `note`. */
  readonly ratio?: number;
  readonly note?: string;
}

export interface BenchModule {
  readonly name: string;
  run(): Promise<readonly Figure[]> | readonly Figure[];
}

/** Median wall time in nanoseconds per operation of `body(n)` that performs n operations. */
export function nsPerOp(body: (n: number) => void, n: number, repeats = 7): number {
  body(Math.min(n, 1000)); // warm up the code paths
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    body(n);
    samples.push(((performance.now() - t0) * 1e6) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** Wall time in milliseconds of one run of `body`. */
export function msOnce(body: () => void): number {
  const t0 = performance.now();
  body();
  return performance.now() - t0;
}

/** Makes a figure comparing a measured cost against its baseline cost (both lower-is-better). */
export function versus(
  key: string,
  value: number,
  baseline: number,
  unit: string,
  note?: string,
): Figure {
  return { key, value, unit, baseline, ratio: baseline / value, ...(note ? { note } : {}) };
}

/** Keeps a value alive and opaque so the optimiser cannot drop the work that made it. */
export let sink: unknown;
export function consume(value: unknown): void {
  sink = value;
}
