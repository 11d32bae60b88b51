/**
 * Updates prepared and waiting (phase one of a two-phase apply): a bundle
 * read, verified, checked against the running release, compiled and run as
 * a dry run (src/lifecycle/dryRun.ts), kept under an id until `commit`,
 * `abort` or its expiry, which aborts it by itself. One at a time: while one
 * waits, nothing else may change the release it was checked against.
 */
import { randomUUID } from "node:crypto";
import type { DryRunReport } from "../lifecycle/dryRun.js";
import { dryRun } from "../lifecycle/dryRun.js";
import { dropKept } from "../migration/phases/find.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Patch } from "../patch/patch.js";
import type { ApplyProgress, ReleaseTarget } from "./applyBundle.js";
import { admitBundle, compileBundle } from "./applyBundle.js";
import { PreparedUnknownError, ReleasePreparedError } from "./errors.js";
import { DEFAULT_PREPARED_EXPIRY_MS } from "./protocol.js";
import type { VerifiedBundle } from "./verify.js";

export interface PreparedUpdate {
  readonly id: string;
  readonly bundle: VerifiedBundle;
  readonly patch: Patch;
  readonly dryRun: DryRunReport;
  /** When it aborts by itself (ms since the epoch). */
  readonly expiresAt: number;
}

/** What a prepare answers: enough for a person or a coordinator to decide. */
export interface PreparedSummary {
  readonly id: string;
  readonly bundleId: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly instancesPrepared: number;
  readonly dryRunMs: number;
  readonly expiresAt: string;
}

export function summarise(prepared: PreparedUpdate): PreparedSummary {
  const { manifest } = prepared.bundle.payload;
  return {
    id: prepared.id,
    bundleId: prepared.bundle.id,
    fromVersion: manifest.fromVersion,
    toVersion: manifest.toVersion,
    instancesPrepared: prepared.dryRun.instancesPrepared,
    dryRunMs: prepared.dryRun.ms,
    expiresAt: new Date(prepared.expiresAt).toISOString(),
  };
}

export class PreparedUpdates {
  #waiting:
    | {
        readonly update: PreparedUpdate;
        readonly timer: NodeJS.Timeout;
        readonly namespace: Namespace;
      }
    | undefined;
  /** Ids that expired, so that a late commit hears why. */
  readonly #expired = new Set<string>();

  constructor(private readonly onExpired: (id: string) => void = () => {}) {}

  get waiting(): PreparedUpdate | undefined {
    return this.#waiting?.update;
  }

  /** Refuses a change of the release while an update is prepared against it. */
  refuseIfWaiting(what: string): void {
    const waiting = this.#waiting?.update;
    if (waiting === undefined) return;
    throw new ReleasePreparedError(
      `${what} refused: update ${waiting.id} (${waiting.bundle.payload.manifest.name}) is prepared and waits for commit or abort`,
      { id: waiting.id, expiresAt: new Date(waiting.expiresAt).toISOString() },
    );
  }

  /** Phase one. Throws a typed error (nothing compiled if the bundle is refused, nothing changed in any case). */
  prepare(
    target: ReleaseTarget,
    input: string,
    expiresInMs: number = DEFAULT_PREPARED_EXPIRY_MS,
    onProgress: (progress: ApplyProgress) => void = () => {},
  ): PreparedUpdate {
    this.refuseIfWaiting("prepare");
    const bundle = admitBundle(target, input, onProgress);
    const patch = compileBundle(target, bundle);
    const report = dryRun(target.namespace, patch);
    onProgress({
      kind: "phase",
      phase: "dry-run",
      status: "ok",
      ms: report.ms,
      migrated: report.instancesPrepared,
    });
    const update: PreparedUpdate = {
      id: randomUUID(),
      bundle,
      patch,
      dryRun: report,
      expiresAt: Date.now() + expiresInMs,
    };
    const timer = setTimeout(() => {
      if (this.#waiting?.update !== update) return;
      this.#waiting = undefined;
      dropKept(target.namespace);
      this.#expired.add(update.id);
      this.onExpired(update.id);
    }, expiresInMs);
    timer.unref();
    this.#waiting = { update, timer, namespace: target.namespace };
    return update;
  }

  /** Removes and returns the update waiting under `id` (for its commit). */
  take(id: string): PreparedUpdate {
    const waiting = this.#waiting;
    if (waiting === undefined || waiting.update.id !== id) {
      const why = this.#expired.has(id)
        ? "it expired and was aborted"
        : "it was never prepared here, or it was committed or aborted already";
      throw new PreparedUnknownError(`no prepared update ${id}: ${why}`, {
        id,
        expired: this.#expired.has(id),
      });
    }
    clearTimeout(waiting.timer);
    this.#waiting = undefined;
    return waiting.update;
  }

  /**
   * Drops the update waiting under `id`; nothing of it had changed the
   * program. The dry run's kept heap query goes too: it holds the instances
   * it found, and observes constructions, until a commit takes it.
   */
  abort(id: string): PreparedUpdate {
    const namespace = this.#waiting?.namespace;
    const update = this.take(id);
    if (namespace) dropKept(namespace);
    return update;
  }

  /** Drops whatever waits (the server's close). */
  clear(): void {
    if (this.#waiting) {
      clearTimeout(this.#waiting.timer);
      dropKept(this.#waiting.namespace);
    }
    this.#waiting = undefined;
  }
}
