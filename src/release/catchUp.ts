/**
 * Bringing a cluster worker that starts after updates — forked later, or
 * forked again after a crash — to the cluster's release before it takes
 * requests, instead of leaving it on the code on disk. The primary keeps the
 * bundles the cluster committed, in order (a rollback drops the last), and
 * how many of them the cluster made permanent (a new worker still starts from
 * the disk, so it replays those too, then makes them permanent as well, so
 * that a later rollback cannot take it further back than the others).
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
import { randomBytes } from "node:crypto";
import { updateSync } from "../migration/update.js";
import type { ReleaseTarget } from "./applyBundle.js";
import { admitBundle, compileBundle } from "./applyBundle.js";
import { ControlTimeoutError, ReplayRefusedError } from "./errors.js";
import { primaryClusterKey, seal, sealed, workerClusterKey } from "./clusterKey.js";
import { recordedFunctions } from "./functions.js";

const TAG = "metamorph.catchUp";

interface CatchUpMessage {
  /** "held": the bundles come once the change of the cluster's release in progress is over. */
  readonly [TAG]: "request" | "bundles" | "held";
  readonly bundles?: readonly string[];
  readonly permanent?: number;
  /** The worker's request's, unguessable: a reply to another request (an old one passed on again) is not this one's. */
  readonly nonce?: string;
  /**
   * A reply's seal under the cluster's key (clusterKey.ts): a program that
   * relays data to its workers could otherwise answer a starting worker
   * itself — no bundles (it starts on the code on disk while the cluster
   * runs a later release) or "held" (it waits 15 minutes).
   */
  readonly mac?: string;
}

/** What a reply's seal covers: its kind, the request's nonce and its bundles. */
const replyFields = (kind: "bundles" | "held", nonce: string, m: CatchUpMessage) =>
  [kind, nonce, kind === "held" ? "" : JSON.stringify([m.bundles, m.permanent])] as const;

/** What a worker replays: the cluster's bundles, oldest first; the first `permanent` of them are permanent. */
export interface CatchUp {
  readonly bundles: readonly string[];
  readonly permanent: number;
}

/** Where a worker asks: its process's IPC channel. */
export interface CatchUpChannel {
  on(event: "message", listener: (m: unknown) => void): unknown;
  off(event: "message", listener: (m: unknown) => void): unknown;
  send?(message: unknown): unknown;
}

const isCatchUp = (m: unknown): m is CatchUpMessage =>
  typeof m === "object" && m !== null && TAG in m;

/** The primary's record of the bundles the cluster runs, oldest first. */
export class ReleaseLog {
  readonly #bundles: string[] = [];
  #permanent = 0;
  /** While a request changes the cluster's release: the workers it counted (see hold). */
  #counted: ReadonlySet<number> | undefined;
  readonly #held = new Map<number, (catchUp: CatchUp) => void>();

  get catchUp(): CatchUp {
    return { bundles: [...this.#bundles], permanent: this.#permanent };
  }

  committed(bundle: string): void {
    this.#bundles.push(bundle);
  }

  /** The bundle a rollback would take out: the last one, unless the cluster made it permanent. */
  get last(): string | undefined {
    return this.#bundles.length > this.#permanent ? this.#bundles.at(-1) : undefined;
  }

  /** The workers rolled back their current release (never a permanent one: they refuse that). */
  rolledBack(): void {
    if (this.#bundles.length > this.#permanent) this.#bundles.pop();
  }

  madePermanent(): void {
    this.#permanent = this.#bundles.length;
  }

  /**
   * A request that changes the cluster's release goes to the workers it
   * counted when its turn came. A worker forked after that is none of them:
   * given the bundles before the outcome, it would start on the release the
   * others are leaving (or, replaying one still being committed, on a
   * release the cluster may not end on). So until the returned function is
   * called — once the outcome is in the log — such a worker's request waits,
   * and is then answered with the bundles the cluster ended on; a counted
   * worker still starting is answered at once (the request waits for it).
   */
  hold(counted: Iterable<number>): () => void {
    this.#counted = new Set(counted);
    return () => {
      this.#counted = undefined;
      const waiting = [...this.#held.values()];
      this.#held.clear();
      for (const reply of waiting) reply(this.catchUp);
    };
  }

  /** Answers a worker's request for the bundles, now or when the hold ends; true when it waits. */
  answer(pid: number, reply: (catchUp: CatchUp) => void): boolean {
    if (this.#counted === undefined || this.#counted.has(pid)) {
      reply(this.catchUp);
      return false;
    }
    this.#held.set(pid, reply);
    return true;
  }

  /**
   * Whether the worker waits for the outcome of a change to start: it was
   * forked after the change counted its workers, so its request for the
   * bundles waits, or will when it comes (it has no release yet).
   */
  waitsForOutcome(pid: number): boolean {
    return this.#counted !== undefined && !this.#counted.has(pid);
  }
}

/** The primary's reply to the request of `nonce`, sealed with the cluster's `key`. */
export function catchUpReply(key: Buffer, nonce: string, reply: CatchUp | "held"): CatchUpMessage {
  const message: CatchUpMessage =
    reply === "held" ? { [TAG]: "held" } : { [TAG]: "bundles", ...reply };
  const kind = reply === "held" ? "held" : "bundles";
  return { ...message, nonce, mac: seal(key, ...replyFields(kind, nonce, message)) };
}

/** In the primary: answers every worker that asks with the log's bundles. */
export function serveCatchUp(log: ReleaseLog): () => void {
  const onMessage = (worker: Worker, m: unknown) => {
    if (!isCatchUp(m) || m[TAG] !== "request" || typeof m.nonce !== "string") return;
    const nonce = m.nonce;
    // A callback, so that a worker gone meanwhile is no "error" event that kills the primary.
    const send = (reply: CatchUp | "held") => {
      if (worker.isConnected())
        worker.send(catchUpReply(primaryClusterKey(), nonce, reply), () => {});
    };
    const waits = log.answer(worker.process.pid ?? -1, send);
    if (waits) send("held");
  };
  cluster.on("message", onMessage);
  return () => cluster.off("message", onMessage);
}

/**
 * In a worker: the bundles the cluster runs, from its primary (bounded in
 * time). A primary changing the cluster's release says it holds them back
 * until the outcome (ReleaseLog.hold): the wait is then bounded by `heldMs`,
 * beyond any request's own bounds.
 */
export function askCatchUp(
  timeoutMs = 10_000,
  heldMs = 900_000,
  channel: CatchUpChannel = process,
  key: Buffer | undefined = workerClusterKey,
): Promise<CatchUp> {
  const nonce = randomBytes(16).toString("base64url");
  // Only the primary's replies to this request: the program's look-alikes pass by.
  const genuine = (m: CatchUpMessage, kind: "bundles" | "held") =>
    m.nonce === nonce && sealed(key, m.mac, ...replyFields(kind, nonce, m));
  return new Promise((resolve, reject) => {
    const fail = (message: string, ms: number) => {
      finish();
      reject(new ControlTimeoutError(message, { pid: process.pid, timeoutMs: ms }));
    };
    const bound = (ms: number, what: string) =>
      setTimeout(() => fail(`worker ${process.pid}: the primary did not send ${what}`, ms), ms);
    let timer = bound(timeoutMs, `the cluster's bundles within ${timeoutMs} ms`);
    const onMessage = (m: unknown) => {
      if (!isCatchUp(m)) return;
      if (m[TAG] === "held" && genuine(m, "held")) {
        clearTimeout(timer);
        timer = bound(
          heldMs,
          `the cluster's bundles within ${heldMs} ms of holding them back for an update in progress`,
        );
        return;
      }
      if (m[TAG] !== "bundles" || !genuine(m, "bundles")) return;
      finish();
      const bundles = Array.isArray(m.bundles)
        ? m.bundles.filter((b) => typeof b === "string")
        : [];
      const permanent = Number.isSafeInteger(m.permanent) ? (m.permanent as number) : 0;
      resolve({ bundles, permanent: Math.max(0, Math.min(permanent, bundles.length)) });
    };
    const finish = () => {
      clearTimeout(timer);
      channel.off("message", onMessage);
    };
    channel.on("message", onMessage);
    const request: CatchUpMessage = { [TAG]: "request", nonce };
    channel.send?.(request);
  });
}

/**
 * Applies the bundles in order, synchronously, making the first `permanent`
 * of them permanent as the cluster did; returns the release running after
 * them. The first that is refused throws a ReplayRefusedError (the ones
 * before it stay applied: the caller stops the process).
 */
export function replayBundles(target: ReleaseTarget, { bundles, permanent }: CatchUp): string {
  bundles.forEach((text, index) => {
    let name = `bundle ${index + 1} of ${bundles.length}`;
    try {
      const bundle = admitBundle(target, text, undefined, { replay: true });
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
        warnings: result.warnings.map(({ code, className, message }) => ({
          code,
          className,
          message,
        })),
        applied: result,
      });
      if (index + 1 === permanent) target.history.makePermanent();
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
