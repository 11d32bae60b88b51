/**
 * The record a service keeps of what reached its control socket: one event
 * per request — applied, rolled back, refused (a forged signature, an
 * unknown key, a malformed line) — with the time, the command, the bundle's
 * SHA-256 and the outcome's code. Never the bundle's code: the bundle's
 * hash names it, and the deploy pipeline has the file.
 */
import { createHash } from "node:crypto";
import type { ControlMessage, ControlRequest } from "./protocol.js";

export interface ControlEvent {
  /** ISO 8601. */
  readonly at: string;
  /** The request's command; undefined when the line was not a request. */
  readonly command?: string;
  /** The SHA-256 of the bundle's text (apply, prepare), in hex. */
  readonly bundleSha256?: string;
  /** The prepared update's id (commit, abort). */
  readonly id?: string;
  /** `ok`, or the code it was refused with (MM_BUNDLE_BAD_SIGNATURE, …), or the status it ended in. */
  readonly outcome: string;
  /** The release running after it, when the answer said. */
  readonly version?: string;
}

function outcomeOf(message: ControlMessage): string {
  if (message.type === "error") return String(message.code);
  if (message.type !== "result") return "unknown";
  if (message.ok) return "ok";
  const error = message.error as { code?: unknown } | undefined;
  if (typeof error?.code === "string") return error.code;
  return typeof message.status === "string" ? `not done (${message.status})` : "not done";
}

export function controlEvent(
  request: ControlRequest | undefined,
  final: ControlMessage,
): ControlEvent {
  const bundle = request && "bundle" in request ? request.bundle : undefined;
  const id = request && "id" in request ? request.id : undefined;
  const version = (final as { version?: unknown }).version;
  return {
    at: new Date().toISOString(),
    ...(request ? { command: request.command } : {}),
    ...(typeof bundle === "string"
      ? { bundleSha256: createHash("sha256").update(bundle).digest("hex") }
      : {}),
    ...(typeof id === "string" ? { id } : {}),
    outcome: outcomeOf(final),
    ...(typeof version === "string" ? { version } : {}),
  };
}

/** One line for a log: `metamorph control: <time> <command> [bundle sha256:…] [id …] → <outcome> [running <v>]`. */
export function formatControlEvent(event: ControlEvent): string {
  const parts = [`metamorph control: ${event.at} ${event.command ?? "(no request)"}`];
  if (event.bundleSha256) parts.push(`bundle sha256:${event.bundleSha256.slice(0, 16)}`);
  if (event.id) parts.push(`id ${JSON.stringify(event.id).slice(1, -1).slice(0, 64)}`);
  parts.push(`→ ${event.outcome}`);
  if (event.version)
    parts.push(`running ${JSON.stringify(event.version).slice(1, -1).slice(0, 64)}`);
  return parts.join(" ");
}
