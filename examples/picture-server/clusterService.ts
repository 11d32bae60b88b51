/**
 * The picture server as a cluster, the way `npm start` runs it:
 *
 *   metamorph run --trust <key> --control <socket> --release v1 clusterService.ts -- --workers 2 …
 *
 * The primary forks the workers and tells its parent (the demo) where they
 * listen; each worker seeds its own gallery (the same pictures, same seed),
 * listens on its own loopback port, and tells `metamorph run` which
 * namespace signed bundles update (serveNamespace). The primary knows
 * nothing of updates: `metamorph apply` to its control socket updates every
 * worker as one transaction.
 */
import cluster from "node:cluster";
import { parseArgs } from "node:util";
import { serveNamespace } from "../../src/release/index.js";
import { thumbnail } from "./model.js";
import { startService } from "./service.js";

const { values } = parseArgs({
  options: {
    workers: { type: "string", default: "2" },
    pictures: { type: "string", default: "10000" },
    folders: { type: "string", default: "50" },
    seed: { type: "string", default: "42" },
  },
});

interface WorkerReady {
  readonly type: "ready";
  readonly pid: number;
  readonly port: number;
  readonly served: boolean;
}

if (cluster.isPrimary) {
  const count = Number(values.workers);
  const ready: WorkerReady[] = [];
  for (let i = 0; i < count; i++) {
    const worker = cluster.fork();
    worker.on("message", (m: unknown) => {
      if ((m as WorkerReady)?.type !== "ready") return;
      ready.push(m as WorkerReady);
      if (ready.length === count) {
        const message = {
          type: "cluster-ready",
          pid: process.pid,
          workers: ready,
          bootMs: process.uptime() * 1000,
        };
        if (process.send) process.send(message);
        else console.log(JSON.stringify(message));
      }
    });
  }
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  };
  // The demo is gone, or asks to stop: stop the workers with us.
  process.on("disconnect", stop);
  process.on("SIGTERM", stop);
} else {
  const service = await startService({
    port: 0,
    pictures: Number(values.pictures),
    folders: Number(values.folders),
    seed: Number(values.seed),
    quiescence: "lifecycle",
    onStop: () => process.exit(0),
  });
  const { ns } = service.world;
  const served = serveNamespace({
    namespace: ns,
    // The names the patches' code uses (see model.ts: the classes' own scope).
    scope: { Picture: ns.classNamed("Picture"), Folder: ns.classNamed("Folder"), thumbnail, ns },
    ...(service.manager ? { tracker: service.manager.tracker } : {}),
  });
  process.send?.({
    type: "ready",
    pid: process.pid,
    port: service.port,
    served,
  } satisfies WorkerReady);
}
