/**
 * The control channel of a running service: a Unix domain socket (never a
 * TCP port) that a deploy step talks to with `metamorph apply / status /
 * rollback / permanent`. One request per connection, bounded in size and in
 * time, and a bounded number of connections at once (connectionLimit.ts);
 * a bad request gets a typed error line and the server keeps serving.
 * Commands that change the service run one at a time.
 */
import type { Server } from "node:net";
import { createServer } from "node:net";
import { CallTracker } from "../lifecycle/index.js";
import type { Namespace } from "../namespace/namespace.js";
import type { ReleaseTarget } from "./applyBundle.js";
import type { ServiceModules } from "./functions.js";
import { serveConnection } from "./connection.js";
import { boundedConnections } from "./connectionLimit.js";
import { ControlSocketError } from "./errors.js";
import { ReleaseHistory } from "./history.js";
import type { PublicKeyInput } from "./keys.js";
import { checkTrust } from "./keys.js";
import type { ControlHandler } from "./localControl.js";
import { LocalControl } from "./localControl.js";
import type { ControlEvent } from "./controlEvents.js";
import { controlEvent } from "./controlEvents.js";
import type { ControlMessage, ControlRequest } from "./protocol.js";
import { MAX_MESSAGE_BYTES } from "./protocol.js";
import { MAX_BUNDLE_BYTES } from "./readBundle.js";
import { defaultListenPath, prepareSocketPath } from "./socketPlace.js";
import type { SocketOwner } from "./socketOwner.js";
import { bindPath, placeSocket } from "./socketOwner.js";
import { keys, requireReleaseOptions } from "./optionKeys.js";

export interface ListenOptions {
  /** Public keys (PEM) whose bundles this process applies. At least one. */
  readonly trust: readonly PublicKeyInput[];
  readonly namespace: Namespace;
  /** The release the process runs at start (the code on disk). Default "0". */
  readonly version?: string;
  /** Default: `defaultSocketPath()` (`<runtime dir>/<pid>.sock`), or `~/.metamorph/run/<pid>.sock` when that directory is refused (socketPlace.ts). */
  readonly path?: string;
  readonly scope?: Readonly<Record<string, unknown>>;
  /** The service's modules, whose top-level functions bundles may replace (metamorph run gives them). */
  readonly modules?: ServiceModules;
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
  /**
   * Told of every request the socket answered — applied, rolled back,
   * refused, a status too — with the time, command, bundle hash and outcome
   * code, never the bundle's code (`formatControlEvent` makes it one log
   * line; `metamorph run` writes it to stderr, leaving out a status that
   * answered). A connection closed before it sent a byte (a probe) is no request.
   */
  readonly onControlEvent?: (event: ControlEvent) => void;
  /** Answers requests instead of this process alone (a cluster primary: see cluster.ts), given this process's own. */
  readonly handler?: (local: LocalControl) => ControlHandler;
}

export interface ControlServer {
  readonly path: string;
  readonly history: ReleaseHistory;
  /** This process's own answers (the handler, unless a cluster primary's coordinates its workers). */
  readonly local: LocalControl;
  /**
   * Stops listening, ends health-check windows, removes the socket file
   * (unless another process listens at its path now). Requests in progress
   * finish. A process that ends without calling it removes the file too.
   */
  close(): Promise<void>;
}

/** The service as the release layer sees it, from listen's options (also a cluster worker's, which has no socket). */
export function releaseTarget(
  options: Omit<
    ListenOptions,
    "path" | "requestTimeoutMs" | "maxMessageBytes" | "handler" | "onControlEvent"
  >,
  signal?: AbortSignal,
): ReleaseTarget {
  const history =
    options.history ??
    new ReleaseHistory({ namespace: options.namespace.name, version: options.version ?? "0" });
  return {
    namespace: options.namespace,
    history,
    trust: options.trust,
    tracker: options.tracker ?? new CallTracker(),
    maxBundleBytes: options.maxBundleBytes ?? MAX_BUNDLE_BYTES,
    ...(signal ? { signal } : {}),
    ...(options.scope ? { scope: options.scope } : {}),
    ...(options.modules ? { modules: options.modules } : {}),
    ...(options.healthCheck ? { healthCheck: options.healthCheck } : {}),
  };
}

/** Makes the socket just listened on owner-only and this process's own, at `path` (socketOwner.ts). */
async function privateSocket(server: Server, bound: string, path: string): Promise<SocketOwner> {
  try {
    return await placeSocket(bound, path);
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (error instanceof ControlSocketError) throw error;
    throw new ControlSocketError(
      `cannot make the socket ${path} private: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { path },
    );
  }
}

const LISTEN_KEYS = keys<ListenOptions>({
  trust: true,
  namespace: true,
  version: true,
  path: true,
  scope: true,
  modules: true,
  tracker: true,
  healthCheck: true,
  requestTimeoutMs: true,
  maxMessageBytes: true,
  maxBundleBytes: true,
  history: true,
  onControlEvent: true,
  handler: true,
});

/** Opens the control socket of a running service. */
export async function listen(options: ListenOptions): Promise<ControlServer> {
  requireReleaseOptions(options, LISTEN_KEYS, "listen");
  // Before the socket: a service that can apply no bundle must not look as if it could.
  checkTrust(options.trust);
  const path = options.path ?? (await defaultListenPath());
  await prepareSocketPath(path);
  const closing = new AbortController();
  const target = releaseTarget(options, closing.signal);
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const local = new LocalControl(target);
  const handler = options.handler?.(local) ?? local;
  const { onControlEvent } = options;
  const handle = (request: ControlRequest, send: (message: ControlMessage) => void) =>
    handler.handle(request, send);
  // Half-open: a client that ends its side after the request still gets the answer.
  const server: Server = createServer({ allowHalfOpen: true });
  boundedConnections(server, (socket) =>
    serveConnection(socket, {
      maxMessageBytes,
      requestTimeoutMs,
      handle,
      ...(onControlEvent
        ? { onAnswered: (request, final) => onControlEvent(controlEvent(request, final)) }
        : {}),
    }),
  );
  const bound = await bindPath(path);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(bound, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const owner = await privateSocket(server, bound, path);
  return {
    path,
    get history() {
      return local.target.history;
    },
    local,
    async close() {
      closing.abort();
      handler.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await owner.remove();
    },
  };
}
