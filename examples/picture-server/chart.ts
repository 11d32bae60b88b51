/**
 * The latency-over-time chart, as a hand-written SVG (no dependency):
 * p50 / p99 / max latency per time bin on a log scale, requests per second
 * below, and the update moments marked.
 */
import type { Sample } from "./load.js";
import { percentile } from "./stats.js";

export interface ChartUpdate {
  readonly name: string;
  readonly policy: string;
  /** ms since the load started */
  readonly from: number;
  readonly commitAt: number;
  readonly to: number;
  readonly pauseMs: number;
  readonly migrated: number;
}

export interface ChartOptions {
  readonly samples: readonly Sample[];
  readonly durationMs: number;
  readonly updates: readonly ChartUpdate[];
  readonly title: string;
  readonly note?: string;
}

const W = 1000;
const H = 560;
const LEFT = 70;
const RIGHT = 20;
const TOP = 70;
const LAT_H = 300;
const GAP = 40;
const TPUT_H = 90;

const xml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const fmt = (x: number): string => (Math.round(x * 10) / 10).toString();

export function latencyChart(options: ChartOptions): string {
  const { samples, durationMs, updates } = options;
  const bins = Math.max(20, Math.min(240, Math.round(durationMs / 100)));
  const binMs = durationMs / bins;
  const byBin: number[][] = Array.from({ length: bins }, () => []);
  const failedAt: number[] = [];
  for (const s of samples) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor(s.start / binMs)));
    byBin[i]!.push(s.end - s.start);
    if (!s.ok) failedAt.push(s.start);
  }
  const stats = byBin.map((ms) => {
    ms.sort((a, b) => a - b);
    return {
      n: ms.length,
      p50: percentile(ms, 0.5),
      p99: percentile(ms, 0.99),
      max: ms.length > 0 ? ms[ms.length - 1]! : Number.NaN,
    };
  });
  const maxLatency = Math.max(1, ...stats.map((s) => (Number.isFinite(s.max) ? s.max : 0)));
  const minLatency = Math.min(
    1,
    ...stats.map((s) => (Number.isFinite(s.p50) && s.p50 > 0 ? s.p50 : 1)),
  );
  const lo = 10 ** Math.floor(Math.log10(minLatency));
  const hi = 10 ** Math.ceil(Math.log10(maxLatency));
  const plotW = W - LEFT - RIGHT;
  const x = (ms: number) => LEFT + (ms / durationMs) * plotW;
  const y = (ms: number) =>
    TOP + LAT_H - ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / Math.log10(hi / lo)) * LAT_H;
  const tputTop = TOP + LAT_H + GAP;
  const rates = stats.map((s) => s.n / (binMs / 1000));
  const maxRate = Math.max(1, ...rates);
  const yRate = (r: number) => tputTop + TPUT_H - (r / maxRate) * TPUT_H;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<title>${xml(options.title)}</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(
    `<text x="${LEFT}" y="24" font-size="16" font-weight="bold">${xml(options.title)}</text>`,
  );
  if (options.note) {
    out.push(`<text x="${LEFT}" y="44" fill="#444">${xml(options.note)}</text>`);
  }

  // Update windows and commit moments.
  updates.forEach((u, k) => {
    const x0 = x(u.from);
    const x1 = Math.max(x(u.to), x0 + 2);
    const color = u.policy === "eager" ? "#d62728" : "#2ca02c";
    out.push(
      `<rect x="${fmt(x0)}" y="${TOP}" width="${fmt(x1 - x0)}" height="${LAT_H + GAP + TPUT_H}" fill="${color}" fill-opacity="0.12"/>`,
    );
    out.push(
      `<line x1="${fmt(x(u.commitAt))}" x2="${fmt(x(u.commitAt))}" y1="${TOP}" y2="${tputTop + TPUT_H}" stroke="${color}" stroke-width="1.5" stroke-dasharray="5,3"/>`,
    );
    const label = `${u.name} ${u.policy}: pause ${fmt(u.pauseMs)} ms, ${u.migrated} migrated`;
    out.push(
      `<text x="${fmt(x(u.commitAt) + 4)}" y="${TOP + 14 + 14 * (k % 2)}" fill="${color}" font-weight="bold">${xml(label)}</text>`,
    );
  });

  // Latency axes.
  out.push(
    `<rect x="${LEFT}" y="${TOP}" width="${plotW}" height="${LAT_H}" fill="none" stroke="#888"/>`,
  );
  for (let t = lo; t <= hi * 1.0001; t *= 10) {
    out.push(
      `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${fmt(y(t))}" y2="${fmt(y(t))}" stroke="#ddd"/>`,
    );
    out.push(
      `<text x="${LEFT - 6}" y="${fmt(y(t) + 4)}" text-anchor="end">${t >= 1 ? t : t.toPrecision(1)} ms</text>`,
    );
  }
  out.push(
    `<text x="16" y="${TOP + LAT_H / 2}" transform="rotate(-90 16 ${TOP + LAT_H / 2})" text-anchor="middle">latency (log scale)</text>`,
  );
  const line = (key: "p50" | "p99" | "max", color: string, width: number, dash = "") => {
    const points = stats
      .map((s, i) =>
        Number.isFinite(s[key]) ? `${fmt(x((i + 0.5) * binMs))},${fmt(y(s[key]))}` : "",
      )
      .filter((p) => p.length > 0)
      .join(" ");
    out.push(
      `<polyline points="${points}" fill="none" stroke="${color}" stroke-width="${width}"${dash ? ` stroke-dasharray="${dash}"` : ""}/>`,
    );
  };
  line("max", "#bbbbbb", 1, "2,2");
  line("p99", "#ff7f0e", 1.6);
  line("p50", "#1f77b4", 1.8);
  for (const t of failedAt) {
    out.push(`<circle cx="${fmt(x(t))}" cy="${TOP + LAT_H - 6}" r="3" fill="#d62728"/>`);
  }

  // Throughput.
  out.push(
    `<rect x="${LEFT}" y="${tputTop}" width="${plotW}" height="${TPUT_H}" fill="none" stroke="#888"/>`,
  );
  const barW = plotW / bins;
  rates.forEach((r, i) => {
    out.push(
      `<rect x="${fmt(LEFT + i * barW)}" y="${fmt(yRate(r))}" width="${fmt(Math.max(1, barW - 0.5))}" height="${fmt(tputTop + TPUT_H - yRate(r))}" fill="#9ecae1"/>`,
    );
  });
  out.push(
    `<text x="${LEFT - 6}" y="${tputTop + 10}" text-anchor="end">${Math.round(maxRate)}</text>`,
  );
  out.push(`<text x="${LEFT - 6}" y="${tputTop + TPUT_H}" text-anchor="end">0</text>`);
  out.push(
    `<text x="16" y="${tputTop + TPUT_H / 2}" transform="rotate(-90 16 ${tputTop + TPUT_H / 2})" text-anchor="middle">req/s</text>`,
  );

  // Time axis.
  const stepS = durationMs > 30_000 ? 5 : durationMs > 8_000 ? 2 : durationMs > 3_000 ? 1 : 0.5;
  for (let s = 0; s * 1000 <= durationMs + 1; s += stepS) {
    const xs = fmt(x(s * 1000));
    out.push(
      `<line x1="${xs}" x2="${xs}" y1="${tputTop + TPUT_H}" y2="${tputTop + TPUT_H + 5}" stroke="#888"/>`,
    );
    out.push(`<text x="${xs}" y="${tputTop + TPUT_H + 18}" text-anchor="middle">${s} s</text>`);
  }

  // Legend.
  const ly = H - 14;
  const legend: [string, string, string][] = [
    ["#1f77b4", "", "p50"],
    ["#ff7f0e", "", "p99"],
    ["#bbbbbb", "2,2", "max"],
  ];
  legend.forEach(([color, dash, label], i) => {
    const lx = LEFT + i * 90;
    out.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ""}/>`,
    );
    out.push(`<text x="${lx + 30}" y="${ly}">${label}</text>`);
  });
  out.push(
    `<text x="${LEFT + 290}" y="${ly}" fill="#555">shaded: update requested → migration complete; dashed: commit; bin ${fmt(binMs)} ms</text>`,
  );
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
