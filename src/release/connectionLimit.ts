/**
 * How many connections the control socket serves at once. Each buffers its
 * request line — up to `maxMessageBytes`, 12 MiB by default — until the
 * line ends or the request time-out (10 s) closes it; with no bound, 60
 * connections each sending 12 MiB without a newline took a service from
 * 65 MiB to 788 MiB (advZ21). A connection past the bound gets one typed
 * error line at once, none of its bytes kept, and is closed: the client
 * reads why, and knows nothing was done. Past twice the bound (refused
 * connections still closing), Node drops a new one without a word, so that
 * a flood of them holds no more either.
 */
import type { Server, Socket } from "node:net";
import { ControlSocketError } from "./errors.js";
import { encode, wireError } from "./protocol.js";

/** Connections served at once (the socket's own user's deploy steps: a handful). */
export const MAX_CONNECTIONS = 16;

function refuseBusy(socket: Socket, max: number): void {
  const error = new ControlSocketError(
    `the control socket serves at most ${max} connections at once and all are taken: this one was refused before its request was read, so nothing was done; retry once one has ended`,
    { busy: true, maxConnections: max },
  );
  socket.on("error", () => {});
  // Read and dropped: closed with its bytes unread, the client could get a reset instead of the line.
  socket.on("data", () => {});
  socket.end(encode({ type: "error", ...wireError(error) }));
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Serves each connection of `server` with `serve`, at most `max` at once; the others are refused. */
export function boundedConnections(
  server: Server,
  serve: (socket: Socket) => void,
  max = MAX_CONNECTIONS,
): void {
  let open = 0;
  server.maxConnections = 2 * max;
  server.on("connection", (socket: Socket) => {
    if (open >= max) {
      refuseBusy(socket, max);
      return;
    }
    open++;
    socket.once("close", () => open--);
    serve(socket);
  });
}
