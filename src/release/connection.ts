/**
 * One connection of the control channel: read one request line (bounded in
 * size and time), hand it over, write the progress lines and the answer,
 * close. Whatever goes wrong becomes one typed error line; the connection
 * never outlives its bounds and never takes the server down.
 */
import type { Socket } from "node:net";
import { ControlMessageError, ControlTimeoutError } from "./errors.js";
import type { ControlMessage, ControlRequest } from "./protocol.js";
import { encode, LineReader, parseRequest, wireError } from "./protocol.js";

export interface ConnectionOptions {
  readonly maxMessageBytes: number;
  readonly requestTimeoutMs: number;
  /** Answers a request; `progress` sends a line at once. A rejection is sent as a typed error. */
  readonly handle: (
    request: ControlRequest,
    progress: (message: ControlMessage) => void,
  ) => Promise<ControlMessage>;
  /** Told of each connection's request and final line (controlEvents.ts); a throw is ignored. */
  readonly onAnswered?: (request: ControlRequest | undefined, final: ControlMessage) => void;
}

function send(socket: Socket, message: ControlMessage): void {
  if (!socket.destroyed && socket.writable) socket.write(encode(message));
}

/** A connection that has not delivered its request in time is told so and closed. */
function requestTimer(socket: Socket, requestTimeoutMs: number): NodeJS.Timeout {
  return setTimeout(() => {
    const error = new ControlTimeoutError(`no complete request within ${requestTimeoutMs} ms`, {
      timeoutMs: requestTimeoutMs,
    });
    send(socket, { type: "error", ...wireError(error) });
    socket.destroy();
  }, requestTimeoutMs);
}

export function serveConnection(socket: Socket, options: ConnectionOptions): void {
  const { maxMessageBytes, requestTimeoutMs } = options;
  const reader = new LineReader(maxMessageBytes);
  let handled = false;
  /** Whether any byte came: a connection closed before any is a probe (is the socket served?), not a request. */
  let received = false;
  const timer = requestTimer(socket, requestTimeoutMs);
  const stopReading = () => {
    handled = true;
    clearTimeout(timer);
    socket.removeAllListeners("data");
  };
  const answered = (request: ControlRequest | undefined, final: ControlMessage) => {
    try {
      options.onAnswered?.(request, final);
    } catch {
      // The record is a by-product: it never changes the answer.
    }
  };
  const refuse = (error: unknown, request?: ControlRequest) => {
    stopReading();
    const command = request?.command;
    const final: ControlMessage = {
      type: "error",
      ...(command ? { command } : {}),
      ...wireError(error),
    };
    answered(request, final);
    send(socket, final);
    socket.end();
    // A client that does not read its answer does not hold the connection.
    setTimeout(() => socket.destroy(), 1000).unref();
  };
  socket.on("error", () => {});
  socket.on("close", () => clearTimeout(timer));
  // The client closed its side before a whole line came (the server lets a
  // half-closed connection answer): say why, rather than close in silence.
  socket.on("end", () => {
    if (handled) return;
    if (!received) {
      // Nothing to answer nor to record: a record of it would read as a malformed request.
      stopReading();
      socket.end();
      return;
    }
    refuse(
      new ControlMessageError(
        "the request ended without a line break: send one JSON line ended by \\n",
        {},
      ),
    );
  });
  socket.on("data", (chunk: Buffer) => {
    if (handled) return;
    if (chunk.length > 0) received = true;
    let request: ControlRequest;
    try {
      const lines = reader.push(chunk);
      if (lines.length === 0) return;
      stopReading();
      request = parseRequest(lines[0]!);
    } catch (error) {
      refuse(error);
      return;
    }
    options
      .handle(request, (message) => send(socket, message))
      .then(
        (message) => {
          answered(request, message);
          send(socket, message);
          socket.end();
        },
        (error) => refuse(error, request),
      );
  });
}
