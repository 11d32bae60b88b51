/**
 * The control channel `metamorph run` opens for its service. A process on
 * its own (or a cluster's primary) listens on its Unix socket; the primary
 * answers for its workers (release/cluster.ts), and a worker — which this
 * same command runs, so that it gets managed classes too — takes its
 * requests from the primary over the cluster's IPC channel, and opens no
 * socket of its own.
 */
import cluster from "node:cluster";
import { ClusterControl } from "../../release/cluster.js";
import { serveWorker } from "../../release/clusterIpc.js";
import type { PublicKeyInput, ServiceModules } from "../../release/index.js";
import { listen } from "../../release/index.js";
import { LocalControl } from "../../release/localControl.js";
import { receiveServedNamespace } from "../../release/serve.js";
import { releaseTarget } from "../../release/server.js";
import type { Namespace } from "../../namespace/namespace.js";

export interface RunControlOptions {
  /** `metamorph run`'s own arguments: a worker is started with the same. */
  readonly args: readonly string[];
  readonly trust: readonly PublicKeyInput[];
  readonly namespace: Namespace;
  readonly version: string;
  readonly path?: string;
  /** The service's modules, whose top-level functions bundles may replace. */
  readonly modules?: ServiceModules;
}

export async function openControl(options: RunControlOptions): Promise<{ close(): Promise<void> }> {
  const { trust, namespace, version, modules } = options;
  if (cluster.isWorker) {
    const local = new LocalControl(
      releaseTarget({ trust, namespace, version, ...(modules ? { modules } : {}) }),
    );
    receiveServedNamespace((served) => local.serve(served));
    const stop = serveWorker(local);
    process.stderr.write(
      `metamorph run: worker ${process.pid} (release ${version}) takes updates through its primary\n`,
    );
    return {
      async close() {
        stop();
        local.close();
      },
    };
  }
  // The socket is open before the service starts, so a deploy step can wait for it.
  const control = await listen({
    trust,
    namespace,
    version,
    ...(modules ? { modules } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
    handler: (local) => new ClusterControl(local),
  });
  receiveServedNamespace((served) => control.local.serve(served));
  // The workers the service forks run `metamorph run` too (same loader, same keys), not the bare entry.
  cluster.setupPrimary({ exec: process.argv[1]!, args: ["run", ...options.args] });
  process.stderr.write(
    `metamorph run: control socket ${control.path} (release ${control.history.version})\n`,
  );
  return control;
}
