/** Latency statistics over windows of the run. */
import type { Sample } from "./load.js";

export interface LatencyStats {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export function latencyStats(samples: readonly Sample[]): LatencyStats {
  const ms = samples.map((s) => s.end - s.start).sort((a, b) => a - b);
  return {
    n: ms.length,
    p50: round(percentile(ms, 0.5)),
    p99: round(percentile(ms, 0.99)),
    max: round(ms.length === 0 ? Number.NaN : ms[ms.length - 1]!),
  };
}

export const round = (x: number, digits = 2): number =>
  Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x;

export interface UpdateWindow {
  /** When the update was requested and when it was over (migration complete), ms since the load started. */
  readonly from: number;
  readonly to: number;
}

/**
 * Before: requests that ended in the `spanMs` before the update was asked
 * for. During: requests in flight at any moment of the update (held at the
 * gate, running across the commit, or during the sweep). After: requests
 * that started in the `spanMs` after it was over.
 */
export function aroundUpdate(
  samples: readonly Sample[],
  window: UpdateWindow,
  spanMs: number,
): { before: LatencyStats; during: LatencyStats; after: LatencyStats } {
  return {
    before: latencyStats(
      samples.filter((s) => s.end < window.from && s.end >= window.from - spanMs),
    ),
    during: latencyStats(samples.filter((s) => s.start <= window.to && s.end >= window.from)),
    after: latencyStats(
      samples.filter((s) => s.start > window.to && s.start <= window.to + spanMs),
    ),
  };
}
