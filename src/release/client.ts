/**
 * The client side of the control channel, for the CLI and for deploy
 * scripts: one connection per request, the answer's progress lines handed
 * over as they arrive, the final line returned. Transport failures (no
 * socket, no answer in time, an answer over the bound) throw typed errors;
 * the service's refusals come back as the final message (`type: "error"`).
 */
import { createConnection } from "node:net";
import { ControlMessageError, ControlSocketError, ControlTimeoutError } from "./errors.js";
import type { ControlMessage, ControlRequest } from "./protocol.js";
import { LineReader, MAX_MESSAGE_BYTES } from "./protocol.js";
import { checkServicePath } from "./socketPlace.js";
import { keys, requireReleaseOptions } from "./optionKeys.js";

export interface ConnectOptions {
  /** The whole request, progress included, must finish within this (ms). Default 120 000. */
  readonly timeoutMs?: number;
  readonly maxMessageBytes?: number;
}

const CONNECT_KEYS = keys<ConnectOptions>({ timeoutMs: true, maxMessageBytes: true });

export type FinalMessage = Extract<ControlMessage, { type: "result" } | { type: "error" }>;
export type ProgressMessage = Extract<ControlMessage, { type: "progress" }>;

export interface ControlClient {
  readonly path: string;
  apply(bundle: string, onProgress?: (message: ProgressMessage) => void): Promise<FinalMessage>;
  status(): Promise<FinalMessage>;
  rollback(): Promise<FinalMessage>;
  permanent(): Promise<FinalMessage>;
  /** Any request (the typed methods are this with a fixed command). */
  request(
    request: ControlRequest,
    onProgress?: (message: ProgressMessage) => void,
  ): Promise<FinalMessage>;
}

function parseMessage(line: string): ControlMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ControlMessageError("the service answered a line that is not JSON", {});
  }
  const type = (value as { type?: unknown } | null)?.type;
  if (type !== "progress" && type !== "result" && type !== "error") {
    throw new ControlMessageError(
      `the service answered a message of unknown type ${JSON.stringify(type)}`,
      {},
    );
  }
  return value as ControlMessage;
}

function request(
  path: string,
  options: ConnectOptions,
  body: ControlRequest,
  onProgress: (message: ProgressMessage) => void,
): Promise<FinalMessage> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const reader = new LineReader(options.maxMessageBytes ?? MAX_MESSAGE_BYTES);
  return checkServicePath(path).then((at) => exchange(at, timeoutMs, reader, body, onProgress));
}

function exchange(
  path: string,
  timeoutMs: number,
  reader: LineReader,
  body: ControlRequest,
  onProgress: (message: ProgressMessage) => void,
): Promise<FinalMessage> {
  return new Promise((resolve, reject) => {
    let settled = false;
    // Once the request is out, a service that goes silent may still carry it out.
    let sent = false;
    const unknown = () => (sent ? { outcome: "unknown" } : {});
    const mayStill = (who: string) =>
      sent ? `; ${who} may still carry the request out (metamorph status tells)` : "";
    const socket = createConnection(path);
    const finish = (error: unknown, message?: FinalMessage) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (message) resolve(message);
      else reject(error);
    };
    const timer = setTimeout(
      () =>
        finish(
          new ControlTimeoutError(
            `no answer from ${path} within ${timeoutMs} ms${mayStill("the service")}`,
            { path, timeoutMs, ...unknown() },
          ),
        ),
      timeoutMs,
    );
    socket.once("connect", () => {
      sent = true;
      socket.write(`${JSON.stringify(body)}\n`);
    });
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const line of reader.push(chunk)) {
          const message = parseMessage(line);
          if (message.type === "progress") onProgress(message as ProgressMessage);
          else return finish(undefined, message as FinalMessage);
        }
      } catch (error) {
        finish(error);
      }
    });
    socket.once("error", (error: NodeJS.ErrnoException) =>
      finish(
        new ControlSocketError(
          `cannot reach the service at ${path}: ${error.code ?? error.message}`,
          {
            path,
            ...(error.code ? { errno: error.code } : {}),
          },
        ),
      ),
    );
    socket.once("close", () =>
      finish(
        new ControlSocketError(
          `the service at ${path} closed the connection without an answer${mayStill("it")}`,
          { path, ...unknown() },
        ),
      ),
    );
  });
}

/** A client for the service listening at `path` (see `defaultSocketPath(pid)`). */
export function connect(path: string, options: ConnectOptions = {}): ControlClient {
  requireReleaseOptions(options, CONNECT_KEYS, "connect");
  const go = (body: ControlRequest, onProgress: (m: ProgressMessage) => void = () => {}) =>
    request(path, options, body, onProgress);
  return {
    path,
    apply: (bundle, onProgress) => go({ command: "apply", bundle }, onProgress),
    status: () => go({ command: "status" }),
    rollback: () => go({ command: "rollback" }),
    permanent: () => go({ command: "permanent" }),
    request: go,
  };
}
