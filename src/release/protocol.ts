/**
 * The control channel's messages: newline-delimited JSON, one request per
 * connection, answered by progress lines and one final line. Both sides bound
 * what they read (size, then time) before parsing any of it.
 */
import { MetamorphError } from "../errors.js";
import { ControlMessageError, ControlOversizeError } from "./errors.js";

export type ControlCommand =
  | "apply"
  | "status"
  | "rollback"
  | "permanent"
  | "prepare"
  | "commit"
  | "abort";

export type ControlRequest =
  | { readonly command: "apply"; readonly bundle: string }
  /** Phase one: verify, check, compile, dry run; the update then waits under an id until committed, aborted or expired. */
  | { readonly command: "prepare"; readonly bundle: string; readonly expiresInMs?: number }
  /**
   * `deadline` (ms since the epoch; a cluster's processes share the host's
   * clock): the coordinator gives up on the commit after it, so the
   * participant refuses to let the update stand once it has passed.
   */
  | { readonly command: "commit"; readonly id: string; readonly deadline?: number }
  | { readonly command: "abort"; readonly id: string }
  | { readonly command: "status" }
  | { readonly command: "rollback" }
  | { readonly command: "permanent" };

/** An error as it crosses the channel: its stable code, its class name, the message, JSON-safe details. */
export interface WireError {
  readonly code: string;
  readonly name: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type ControlMessage =
  | ({ readonly type: "progress" } & Readonly<Record<string, unknown>>)
  | ({ readonly type: "result"; readonly ok: boolean; readonly command: ControlCommand } & Readonly<
      Record<string, unknown>
    >)
  | ({ readonly type: "error"; readonly command?: ControlCommand } & WireError);

/** Default bound on one message (bytes): a bundle's bound plus room for its JSON escaping. */
export const MAX_MESSAGE_BYTES = 12 * 1024 * 1024;

const COMMANDS: readonly ControlCommand[] = [
  "apply",
  "status",
  "rollback",
  "permanent",
  "prepare",
  "commit",
  "abort",
];

const PROPERTIES: Readonly<Record<ControlCommand, readonly string[]>> = {
  apply: ["bundle"],
  prepare: ["bundle", "expiresInMs"],
  commit: ["id", "deadline"],
  abort: ["id"],
  status: [],
  rollback: [],
  permanent: [],
};

/** A prepared update waits at most this long by default (ms) before it aborts by itself. */
export const DEFAULT_PREPARED_EXPIRY_MS = 60_000;
/** ...and never longer than this (ms). */
export const MAX_PREPARED_EXPIRY_MS = 3_600_000;

function bundleOf(command: string, rest: Record<string, unknown>): string {
  if (typeof rest.bundle !== "string" || rest.bundle.length === 0) {
    throw new ControlMessageError(`${command}: bundle must be the bundle file's text`, { command });
  }
  return rest.bundle;
}

function idOf(command: string, rest: Record<string, unknown>): string {
  if (typeof rest.id !== "string" || !/^[\w.-]{1,100}$/.test(rest.id)) {
    throw new ControlMessageError(`${command}: id must be the id prepare answered with`, {
      command,
    });
  }
  return rest.id;
}

function expiryOf(rest: Record<string, unknown>): { expiresInMs?: number } {
  const value = rest.expiresInMs;
  if (value === undefined) return {};
  if (
    !Number.isInteger(value) ||
    (value as number) < 1 ||
    (value as number) > MAX_PREPARED_EXPIRY_MS
  ) {
    throw new ControlMessageError(
      `prepare: expiresInMs must be a whole number of ms from 1 to ${MAX_PREPARED_EXPIRY_MS}`,
      { command: "prepare" },
    );
  }
  return { expiresInMs: value as number };
}

function deadlineOf(rest: Record<string, unknown>): { deadline?: number } {
  const value = rest.deadline;
  if (value === undefined) return {};
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new ControlMessageError("commit: deadline must be a time in ms since the epoch", {
      command: "commit",
    });
  }
  return { deadline: value as number };
}

/** Parses one request line; a ControlMessageError names what is wrong. */
export function parseRequest(line: string): ControlRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ControlMessageError(`a request is one line of JSON: ${(error as Error).message}`, {});
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ControlMessageError("a request is a JSON object with a command", {});
  }
  const { command, ...rest } = value as Record<string, unknown>;
  if (typeof command !== "string" || !COMMANDS.includes(command as ControlCommand)) {
    throw new ControlMessageError(
      `unknown command ${JSON.stringify(command)} (known: ${COMMANDS.join(", ")})`,
      { command: typeof command === "string" ? command : String(command) },
    );
  }
  const allowed = PROPERTIES[command as ControlCommand];
  const extra = Object.keys(rest).find((k) => !allowed.includes(k));
  if (extra !== undefined) {
    throw new ControlMessageError(`${command}: unknown property ${JSON.stringify(extra)}`, {
      command,
      property: extra,
    });
  }
  switch (command as ControlCommand) {
    case "apply":
      return { command: "apply", bundle: bundleOf(command, rest) };
    case "prepare":
      return { command: "prepare", bundle: bundleOf(command, rest), ...expiryOf(rest) };
    case "commit":
      return { command: "commit", id: idOf(command, rest), ...deadlineOf(rest) };
    case "abort":
      return { command: "abort", id: idOf(command, rest) };
    default:
      return { command } as ControlRequest;
  }
}

/** Details reduced to what JSON carries plainly (objects of the program, functions and cycles are left out). */
export function jsonSafe(value: unknown, depth = 3): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (depth === 0 || typeof value !== "object") return undefined;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => jsonSafe(v, depth - 1) ?? null);
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null)
    return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const safe = jsonSafe(v, depth - 1);
    if (safe !== undefined) out[k] = safe;
  }
  return out;
}

export function wireError(error: unknown): WireError {
  if (error instanceof MetamorphError) {
    return {
      code: error.code,
      name: error.name,
      message: error.message,
      details: jsonSafe(error.details) as Record<string, unknown>,
    };
  }
  const e = error as { name?: unknown; message?: unknown } | undefined;
  return {
    code: "MM_INTERNAL",
    name: typeof e?.name === "string" ? e.name : "Error",
    message: typeof e?.message === "string" ? e.message : String(error),
  };
}

export function encode(message: ControlMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Collects bytes up to the first newline, refusing more than `maxBytes`
 * before one arrives. Returns the lines completed by each chunk. (Not
 * `node:readline`: it buffers a line without bound, so a peer that never
 * sends a newline would grow the server's memory until the time-out.)
 */
export class LineReader {
  #buffered: Buffer[] = [];
  #size = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, start)) {
      this.#add(chunk.subarray(start, i));
      lines.push(Buffer.concat(this.#buffered).toString("utf8"));
      this.#buffered = [];
      this.#size = 0;
      start = i + 1;
    }
    this.#add(chunk.subarray(start));
    return lines;
  }

  #add(part: Buffer): void {
    if (part.length === 0) return;
    this.#size += part.length;
    if (this.#size > this.maxBytes) {
      throw new ControlOversizeError(`a message over ${this.maxBytes} bytes was refused`, {
        maxBytes: this.maxBytes,
      });
    }
    this.#buffered.push(part);
  }
}
