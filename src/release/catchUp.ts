/**
 * Bringing a cluster worker that starts after updates — forked later, or
 * forked again after a crash — to the cluster's release before it takes
 * requests, instead of leaving it on the code on disk. The primary keeps the
 * bundles the cluster committed, in order (a rollback drops the last; making
 * a release permanent drops none: a new worker still starts from the disk).
 * A worker asks for them before its entry runs, and replays them right after
 * the entry's modules have been evaluated — synchronously, in the same task,
 * so no request or message reaches it in between: each bundle is read,
 * verified against the worker's own trusted keys, checked (from-version,
 * modules, functions), compiled and applied with the engine's `updateSync`
 * (a worker that just started has no call in flight to wait for), and
 * recorded in its history. A replay that is refused is a ReplayRefusedError
 * naming the bundle; `metamorph run` stops that worker with it.
 */
import cluster, { type Worker } from "node:cluster";
import { updateSync } from "../migration/update.js";
import type { ReleaseTarget } from "./applyBundle.js";
import { admitBundle, compileBundle } from "./applyBundle.js";
import { ControlTimeoutError, ReplayRefusedError } from "./errors.js";
import { recordedFunctions } from "./functions.js";

const TAG = "metamorph.catchUp";

interface CatchUpMessage {
  readonly [TAG]: "request" | "bundles";
  readonly bundles?: readonly string[];
}

const isCatchUp = (m: unknown): m is CatchUpMessage =>
  typeof m === "object" && m !== null && TAG in m;

/** The primary's record of the bundles the cluster runs, oldest first. */
export class ReleaseLog {
  readonly #bundles: string[] = [];

  get bundles(): readonly string[] {
    return [...this.#bundles];
  }

  committed(bundle: string): void {
    this.#bundles.push(bundle);
  }

  rolledBack(): void {
    this.#bundles.pop();
  }
}

/** In the primary: answers every worker that asks with the log's bundles. */
export function serveCatchUp(log: ReleaseLog): () => void {
  const onMessage = (worker: Worker, m: unknown) => {
    if (!isCatchUp(m) || m[TAG] !== "request") return;
    const answer: CatchUpMessage = { [TAG]: "bundles", bundles: log.bundles };
    if (worker.isConnected()) worker.send(answer);
  };
  cluster.on("message", onMessage);
  return () => cluster.off("message", onMessage);
}

/** In a worker: the bundles the cluster runs, from its primary (bounded in time). */
export function askCatchUp(timeoutMs = 10_000): Promise<readonly string[]> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if (!isCatchUp(m) || m[TAG] !== "bundles") return;
      finish();
      resolve(Array.isArray(m.bundles) ? m.bundles.filter((b) => typeof b === "string") : []);
    };
    const timer = setTimeout(() => {
      finish();
      reject(
        new ControlTimeoutError(
          `worker ${process.pid}: the primary did not send the cluster's bundles within ${timeoutMs} ms`,
          { pid: process.pid, timeoutMs },
        ),
      );
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      process.off("message", onMessage);
    };
    process.on("message", onMessage);
    const request: CatchUpMessage = { [TAG]: "request" };
    process.send?.(request);
  });
}

/**
 * Applies `bundles` in order, synchronously; returns the release running
 * after them. The first that is refused throws a ReplayRefusedError (the ones
 * before it stay applied: the caller stops the process).
 */
export function replayBundles(target: ReleaseTarget, bundles: readonly string[]): string {
  bundles.forEach((text, index) => {
    let name = `bundle ${index + 1} of ${bundles.length}`;
    try {
      const bundle = admitBundle(target, text);
      const { manifest, options } = bundle.payload;
      name = `bundle ${manifest.name} (${manifest.fromVersion} → ${manifest.toVersion}, ${index + 1} of ${bundles.length})`;
      const result = updateSync(target.namespace, compileBundle(target, bundle), {
        ...(options.policy !== undefined ? { policy: options.policy } : {}),
        ...(options.sliceSize !== undefined ? { sliceSize: options.sliceSize } : {}),
      });
      target.history.record({
        version: manifest.toVersion,
        name: manifest.name,
        bundleId: bundle.id,
        ...recordedFunctions(bundle),
        applied: result,
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ReplayRefusedError(
        `worker ${process.pid} could not replay ${name}, so it would run release ${target.history.version} while the cluster runs a later one: ${reason}`,
        {
          pid: process.pid,
          index,
          running: target.history.version,
          ...(typeof code === "string" ? { cause: code } : {}),
        },
      );
    }
  });
  return target.history.version;
}
