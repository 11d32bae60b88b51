/**
 * The control channel `metamorph run` opens for its service. A process on
 * its own (or a cluster's primary) listens on its Unix socket; the primary
 * answers for its workers (release/cluster.ts), and a worker — which this
 * same command runs, so that it gets managed classes too — takes its
 * requests from the primary over the cluster's IPC channel, and opens no
 * socket of its own. A worker that starts after updates (forked later, or
 * again after a crash) gets the cluster's bundles from its primary before
 * its entry runs and replays them once the entry's modules are evaluated
 * (release/catchUp.ts); only then does it take requests, and tell its
 * primary it is ready (release/clusterIpc.ts).
 */
import cluster from "node:cluster";
import { askCatchUp, ReleaseLog, replayBundles, serveCatchUp } from "../../release/catchUp.js";
import { ClusterControl } from "../../release/cluster.js";
import { serveWorker } from "../../release/clusterIpc.js";
import type { PublicKeyInput, ServiceModules } from "../../release/index.js";
import { formatControlEvent, listen, ReleaseHistory } from "../../release/index.js";
import { LocalControl } from "../../release/localControl.js";
import { receiveServedNamespace } from "../../release/serve.js";
import { releaseTarget } from "../../release/server.js";
import type { Namespace } from "../../namespace/namespace.js";
import { CallTracker } from "../../lifecycle/index.js";

export interface RunControlOptions {
  /** `metamorph run`'s own arguments: a worker is started with the same. */
  readonly args: readonly string[];
  readonly trust: readonly PublicKeyInput[];
  readonly namespace: Namespace;
  readonly version: string;
  readonly path?: string;
  /** The service's modules, whose top-level functions bundles may replace. */
  readonly modules?: ServiceModules;
  /** `--name`: the name bundles' `namespace` is checked against (default: the runtime namespace's, `dev`). */
  readonly name?: string;
  /** `--track-calls`: every class tracked from start-up (trackFromStart). */
  readonly trackCalls?: boolean;
}

/** Set by a `metamorph run` primary to its pid, for the workers it forks. */
const PRIMARY_ENV = "METAMORPH_RUN_PRIMARY";

export interface RunControl {
  /**
   * Called right after the entry's modules were evaluated, in the same task:
   * a worker replays the cluster's bundles. Throws a ReplayRefusedError when
   * one is refused (the caller stops the worker).
   */
  started(): void;
  close(): Promise<void>;
}

/**
 * Tracks the calls of every class the entry defined, from right after its
 * modules were evaluated (the same task: no request has reached it yet).
 * Otherwise a class is tracked only when an update first touches it, and a
 * call already running then is invisible to forced quiescence: it would
 * straddle the commit. Classes defined later are tracked as updates touch them.
 */
function trackFromStart(namespace: Namespace, tracker: CallTracker): void {
  for (const cls of namespace.classes()) if (!tracker.isTracking(cls)) tracker.track(cls);
}

/** A cluster worker's control: its primary's requests over IPC, and the cluster's bundles replayed at start. */
async function workerControl(
  options: RunControlOptions,
  history: ReleaseHistory,
  tracker: CallTracker | undefined,
  started: () => void,
): Promise<RunControl> {
  const { trust, namespace, version, modules } = options;
  const local = new LocalControl(
    releaseTarget({
      trust,
      namespace,
      version,
      history,
      ...(tracker ? { tracker } : {}),
      ...(modules ? { modules } : {}),
    }),
  );
  receiveServedNamespace((served) => local.serve(served));
  // Asked before the entry runs, so that the replay can follow its evaluation at once. A
  // primary that is not `metamorph run` (PM2's daemon) keeps no bundles and would not answer.
  const catchUp =
    process.env[PRIMARY_ENV] === String(process.ppid)
      ? await askCatchUp()
      : { bundles: [], permanent: 0 };
  let stop = () => {};
  return {
    started() {
      const now = replayBundles(local.target, catchUp);
      started();
      // Listening (and saying so) only now: a request is answered on the cluster's release,
      // and the primary holds back the ones sent meanwhile instead of losing them.
      stop = serveWorker(local);
      const { bundles } = catchUp;
      process.stderr.write(
        `metamorph run: worker ${process.pid} (release ${now}${bundles.length > 0 ? `, ${bundles.length} bundle${bundles.length === 1 ? "" : "s"} replayed over ${version}` : ""}) takes updates through its primary\n`,
      );
    },
    async close() {
      stop();
      local.close();
    },
  };
}

export async function openControl(options: RunControlOptions): Promise<RunControl> {
  const { trust, namespace, version, modules } = options;
  // The history's namespace is what a bundle's manifest names: the service's name, not the runtime's.
  const history = () => new ReleaseHistory({ namespace: options.name ?? namespace.name, version });
  // Following the async context lets an in-flight async call reach its own
  // class's other methods through a hold (it drains instead of waiting for
  // the time-out). Asked for only: it costs every call of a managed method
  // a wrapper and an AsyncLocalStorage context (measured: ~70 ns against
  // ~3 for the call), for the program's whole life. Without it a class is
  // tracked when an update first holds it, and a call already running then
  // straddles that commit (the answer counts them).
  const tracker = options.trackCalls ? new CallTracker({ followAsyncContext: true }) : undefined;
  const started = () => {
    if (tracker) trackFromStart(namespace, tracker);
  };
  if (cluster.isWorker) return workerControl(options, history(), tracker, started);
  const log = new ReleaseLog();
  const stopCatchUp = serveCatchUp(log);
  // Inherited by the workers the entry forks: their primary answers catch-up requests.
  process.env[PRIMARY_ENV] = String(process.pid);
  // The socket is open before the service starts, so a deploy step can wait for it.
  const control = await listen({
    trust,
    namespace,
    version,
    history: history(),
    ...(tracker ? { tracker } : {}),
    ...(modules ? { modules } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
    handler: (local) => new ClusterControl(local, { log }),
    // The service's own record of what reached its socket (never a bundle's code).
    // A status that answered changes nothing: polled, it would drown the rest.
    onControlEvent: (event) => {
      if (event.command === "status" && event.outcome === "ok") return;
      process.stderr.write(`${formatControlEvent(event)}\n`);
    },
  });
  receiveServedNamespace((served) => control.local.serve(served));
  // The workers the service forks run `metamorph run` too (same loader, same keys), not the bare entry.
  cluster.setupPrimary({ exec: process.argv[1]!, args: ["run", ...options.args] });
  process.stderr.write(
    `metamorph run: control socket ${control.path} (release ${control.history.version})\n`,
  );
  return {
    started,
    async close() {
      stopCatchUp();
      await control.close();
    },
  };
}
