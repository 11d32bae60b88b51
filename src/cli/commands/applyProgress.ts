/** `metamorph apply`'s progress lines for a person: one per step the service streams back (see ApplyProgress). */
import type { ProgressMessage } from "../../release/index.js";
import { paint } from "./paint.js";

function ms(value: unknown): string {
  return typeof value === "number" ? `${value < 10 ? value.toFixed(2) : Math.round(value)} ms` : "";
}

/** A reason's first line: the final message that follows gives it whole (a validation report). */
function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return end < 0 ? text : `${text.slice(0, end)} …`;
}

/** One line per progress message; `colour` when the line goes to a terminal. */
export function describeProgress(message: ProgressMessage, colour: boolean): string | undefined {
  const m = message as Readonly<Record<string, unknown>>;
  const line = describeStep(m, colour);
  // A cluster's primary forwards its workers' steps, naming the worker.
  return line !== undefined && typeof m.worker === "number" ? `worker ${m.worker}  ${line}` : line;
}

function describeStep(m: Readonly<Record<string, unknown>>, colour: boolean): string | undefined {
  switch (m.kind) {
    case "cluster":
      // "refused" means one worker refused (or more): the final message names each.
      return `${paint(colour, "cyan", "cluster")}   ${m.step === "prepared" ? "every worker prepared" : `not every worker prepared (${String(m.step)})`} at ${ms(m.atMs)}`;
    case "verified":
      return `${paint(colour, "green", "verified")}  bundle ${String(m.bundleId).slice(0, 16)}, signed by trusted key ${String(m.keyId)}`;
    case "lifecycle":
      return `${paint(colour, "cyan", "lifecycle")} ${String(m.step)} at ${ms(m.atMs)}${m.reason ? ` (${firstLine(String(m.reason))})` : ""}`;
    case "phase": {
      const parts = [
        `${paint(colour, "cyan", "phase")}     ${String(m.phase)}: ${String(m.status)}`,
      ];
      if (m.ms !== undefined) parts.push(ms(m.ms));
      if (typeof m.migrated === "number") parts.push(`${m.migrated} migrated`);
      return parts.join(", ");
    }
    case "committed":
      return `${paint(colour, "green", "committed")} ${String(m.migrated)} objects migrated, ${String(m.pending)} pending, pause ${ms(m.pauseMs)}`;
    default:
      return undefined;
  }
}
