/** A service's release status as a person reads it (`metamorph status`). */
import type { ReleaseStatus } from "./history.js";

function ms(value: number): string {
  return value < 10 ? `${value.toFixed(2)} ms` : `${Math.round(value)} ms`;
}

export function describeStatus(status: ReleaseStatus): string {
  const checking = status.releases.some((r) => r.checking === true && r.state === "current");
  const lines = [
    `namespace ${status.namespace}: running ${status.version}${checking ? " (committed; the health check after the commit is still running, and rolls it back if it fails)" : ""}`,
    `pending migration: ${status.pending} object${status.pending === 1 ? "" : "s"}`,
    "releases (oldest first):",
  ];
  for (const r of status.releases) {
    const parts = [`  ${r.version.padEnd(12)} ${r.state.padEnd(11)}`];
    if (r.appliedAt) parts.push(`applied ${r.appliedAt}, pause ${ms(r.pauseMs)}`);
    else parts.push("started with");
    if (r.pending > 0) parts.push(`${r.pending} pending`);
    if (r.bundleId) parts.push(`bundle ${r.bundleId.slice(0, 16)}`);
    if (r.checking) parts.push("health check after the commit running");
    if (r.canRollBack) parts.push("rollback returns from it");
    if (r.functions) parts.push(`functions ${r.functions.join(", ")}`);
    if (r.reason) parts.push(`(${r.reason})`);
    lines.push(parts.join("  "));
    for (const w of r.warnings ?? []) lines.push(`    warning ${w.code}: ${w.message}`);
  }
  if (status.lastPauses.length > 0) {
    lines.push(
      `last pauses: ${status.lastPauses.map((p) => `${p.version} ${ms(p.pauseMs)}`).join(", ")}`,
    );
  }
  return lines.join("\n");
}
