/**
 * The control channel of a running service: a Unix domain socket (never a
 * TCP port) that a deploy step talks to with `metamorph apply / status /
 * rollback / permanent`. One request per connection, bounded in size and in
 * time; a bad request gets a typed error line and the server keeps serving.
 * Commands that change the service run one at a time.
 */
import { chmod, unlink } from "node:fs/promises";
import type { Server } from "node:net";
import { createServer } from "node:net";
import { CallTracker } from "../lifecycle/index.js";
import type { Namespace } from "../namespace/namespace.js";
import type { ApplyProgress, ReleaseTarget } from "./applyBundle.js";
import { applyBundle } from "./applyBundle.js";
import { serveConnection } from "./connection.js";
import { ReleaseHistory } from "./history.js";
import type { PublicKeyInput } from "./keys.js";
import type { ControlMessage, ControlRequest } from "./protocol.js";
import { jsonSafe, MAX_MESSAGE_BYTES, wireError } from "./protocol.js";
import { MAX_BUNDLE_BYTES } from "./readBundle.js";
import { defaultSocketPath, prepareSocketPath } from "./socketPlace.js";

export interface ListenOptions {
  /** Public keys (PEM) whose bundles this process applies. At least one. */
  readonly trust: readonly PublicKeyInput[];
  readonly namespace: Namespace;
  /** The release the process runs at start (the code on disk). Default "0". */
  readonly version?: string;
  /** Default: `defaultSocketPath()` (`<runtime dir>/<pid>.sock`). */
  readonly path?: string;
  readonly scope?: Readonly<Record<string, unknown>>;
  /** Tracks the namespace's calls for quiescence; one is made (classes tracked as updates touch them) if not given. */
  readonly tracker?: CallTracker;
  readonly healthCheck?: () => boolean | Promise<boolean>;
  /** A connection must deliver its request within this (ms). Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** Bound of a request line (bytes). Default MAX_MESSAGE_BYTES. */
  readonly maxMessageBytes?: number;
  readonly maxBundleBytes?: number;
  /** An existing history (a service that listens again after closing). */
  readonly history?: ReleaseHistory;
}

export interface ControlServer {
  readonly path: string;
  readonly history: ReleaseHistory;
  /** Stops listening, ends health-check windows, removes the socket file. Requests in progress finish. */
  close(): Promise<void>;
}

/** The answer to one request (progress lines go out through `progress` as they happen). */
async function answer(
  target: ReleaseTarget,
  request: ControlRequest,
  progress: (p: ApplyProgress) => void,
): Promise<ControlMessage> {
  const { history } = target;
  switch (request.command) {
    case "status":
      return {
        type: "result",
        ok: true,
        command: "status",
        namespaceVersion: target.namespace.version,
        ...history.status(),
      };
    case "rollback": {
      const now = history.rollback();
      return {
        type: "result",
        ok: true,
        command: "rollback",
        version: now.version,
        releases: history.releases(),
      };
    }
    case "permanent": {
      const now = history.makePermanent();
      return {
        type: "result",
        ok: true,
        command: "permanent",
        version: now.version,
        releases: history.releases(),
      };
    }
    case "apply": {
      const outcome = await applyBundle(target, request.bundle, progress);
      const { report, error, ...rest } = outcome;
      return {
        type: "result",
        ok: outcome.status === "committed",
        command: "apply",
        ...(jsonSafe(rest) as Record<string, unknown>),
        ...(error !== undefined ? { error: wireError(error) } : {}),
        holdMs: report.holdMs,
        timings: jsonSafe(report.timings),
      };
    }
  }
}

/** Opens the control socket of a running service. */
export async function listen(options: ListenOptions): Promise<ControlServer> {
  const path = options.path ?? defaultSocketPath();
  await prepareSocketPath(path);
  const history =
    options.history ??
    new ReleaseHistory({ namespace: options.namespace.name, version: options.version ?? "0" });
  const closing = new AbortController();
  const target: ReleaseTarget = {
    namespace: options.namespace,
    history,
    trust: options.trust,
    tracker: options.tracker ?? new CallTracker(),
    maxBundleBytes: options.maxBundleBytes ?? MAX_BUNDLE_BYTES,
    signal: closing.signal,
    ...(options.scope ? { scope: options.scope } : {}),
    ...(options.healthCheck ? { healthCheck: options.healthCheck } : {}),
  };
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  let exclusive: Promise<unknown> = Promise.resolve();
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const run = exclusive.then(work, work);
    exclusive = run.catch(() => {});
    return run;
  };

  const handle = (request: ControlRequest, send: (message: ControlMessage) => void) => {
    const progress = (p: ApplyProgress) =>
      send({ type: "progress", ...(jsonSafe(p) as Record<string, unknown>) });
    const work = () => answer(target, request, progress);
    // Status reads; the other commands change the service, one at a time.
    return request.command === "status" ? work() : serialised(work);
  };
  const server: Server = createServer((socket) =>
    serveConnection(socket, { maxMessageBytes, requestTimeoutMs, handle }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // The directory is 0700 already, so nobody else could reach the socket before this.
  await chmod(path, 0o600);
  return {
    path,
    history,
    async close() {
      closing.abort();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unlink(path).catch(() => {});
    },
  };
}
