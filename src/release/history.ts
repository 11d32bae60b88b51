/**
 * The release history of one namespace, with states after Erlang/OTP's
 * release handler:
 *
 * - `permanent`: the release the history cannot go back past — at first the
 *   code the process started with, later the last one made permanent;
 * - `current`: the release running now, applied on top of the permanent one
 *   and not yet made permanent (`rollback` returns from it);
 * - `old`: a release that is no longer running: superseded by a later one
 *   (it becomes current again when that one is rolled back), or forgotten
 *   by `makePermanent` (its rollback state is dropped, there is no way back);
 * - `rolled-back`: applied, then rolled back.
 *
 * Updates of one namespace must be undone newest first, so the history is a
 * stack above the permanent release. It holds what the engine's results give
 * it (`rollback`, `rollbackWhenQuiescent`, `makePermanent`,
 * `pendingInstances`, `pauseMs`) and calls nothing else; it tells who
 * listens what it rolled back (historyListeners.ts).
 */
import { ReleaseStateError } from "./errors.js";
import { tellRolledBack } from "./historyListeners.js";
import { keys, requireReleaseOptions } from "./optionKeys.js";

export type ReleaseState = "current" | "permanent" | "old" | "rolled-back";

/** What the history needs of an applied update: UpdateResult and the lifecycle's AppliedUpdate both fit. */
export interface AppliedRelease {
  readonly pauseMs: number;
  pendingInstances(): number;
  rollback(): void;
  /** Reverts at a moment as safe as the commit (the lifecycle's applied update); absent: `rollback()`. */
  rollbackWhenQuiescent?(): Promise<void>;
  makePermanent(): void;
}

export interface ReleaseRecord {
  /** Sequence number within this history. */
  readonly id: number;
  readonly version: string;
  /** The release it was applied on (absent for the release the process started with). */
  readonly fromVersion?: string;
  readonly name: string;
  readonly bundleId?: string;
  readonly state: ReleaseState;
  /** ISO 8601; absent for the release the process started with. */
  readonly appliedAt?: string;
  /** How long the program could not run while it was applied (ms). */
  readonly pauseMs: number;
  /** Objects still waiting for their lazy or progressive migration. */
  readonly pending: number;
  /** Whether `rollback` can return from it now. */
  readonly canRollBack: boolean;
  /** Why it was rolled back. */
  readonly reason?: string;
  /** The top-level functions it replaced (`module:name`). */
  readonly functions?: readonly string[];
  /** What the update warned about when it committed (the engine's `UpdateResult.warnings`). */
  readonly warnings?: readonly ReleaseWarning[];
  /**
   * It runs, but the update that committed it has not finished: the health
   * check run right after the commit (then the resume) is still going, and
   * rolls it back if it fails.
   */
  readonly checking?: boolean;
}

/** An update's warning as a release keeps it: the engine's code, its class, its words. */
export interface ReleaseWarning {
  readonly code: string;
  readonly className?: string;
  readonly message: string;
}

export interface ReleaseStatus {
  readonly namespace: string;
  /** The release running now. */
  readonly version: string;
  /** Oldest first. */
  readonly releases: readonly ReleaseRecord[];
  /** Objects still waiting for migration, all releases together. */
  readonly pending: number;
  /** The pauses of the last releases applied, oldest first. */
  readonly lastPauses: readonly { readonly version: string; readonly pauseMs: number }[];
}

interface Entry {
  readonly id: number;
  readonly version: string;
  readonly fromVersion: string | undefined;
  readonly name: string;
  readonly bundleId: string | undefined;
  readonly appliedAt: string | undefined;
  readonly pauseMs: number;
  state: ReleaseState;
  /** Dropped once the release is forgotten or rolled back. */
  applied: AppliedRelease | undefined;
  reason: string | undefined;
  readonly functions?: readonly string[];
  readonly warnings?: readonly ReleaseWarning[];
  checking?: boolean;
}

export interface ReleaseHistoryOptions {
  readonly namespace: string;
  /** The release the process runs at start (the code on disk). */
  readonly version: string;
  /** Records kept (default 50); the oldest old or rolled-back ones go first. */
  readonly keep?: number;
  /** The pauses `status` lists (default 10). */
  readonly pausesShown?: number;
}

const HISTORY_KEYS = keys<ReleaseHistoryOptions>({
  namespace: true,
  version: true,
  keep: true,
  pausesShown: true,
});

export class ReleaseHistory {
  readonly namespace: string;
  readonly #entries: Entry[] = [];
  readonly #keep: number;
  readonly #pausesShown: number;
  #nextId = 1;

  constructor(options: ReleaseHistoryOptions) {
    requireReleaseOptions(options, HISTORY_KEYS, "new ReleaseHistory");
    this.namespace = options.namespace;
    this.#keep = Math.max(2, options.keep ?? 50);
    this.#pausesShown = options.pausesShown ?? 10;
    this.#entries.push({
      id: this.#nextId++,
      version: options.version,
      fromVersion: undefined,
      name: options.version,
      bundleId: undefined,
      appliedAt: undefined,
      pauseMs: 0,
      state: "permanent",
      applied: undefined,
      reason: undefined,
    });
  }

  /** The release running now. */
  get version(): string {
    return this.#running().version;
  }

  #running(): Entry {
    return this.#entries.find((e) => e.state === "current") ?? this.#permanent();
  }

  #permanent(): Entry {
    return this.#entries.find((e) => e.state === "permanent")!;
  }

  /**
   * Records a release just committed on top of the running one; it becomes
   * current. `checking`: recorded at the engine's commit while its update
   * goes on (the health check after the commit); `checked` or `undone` ends that.
   */
  record(release: {
    readonly version: string;
    readonly name: string;
    readonly bundleId?: string;
    readonly applied: AppliedRelease;
    readonly functions?: readonly string[];
    readonly warnings?: readonly ReleaseWarning[];
    readonly checking?: boolean;
  }): ReleaseRecord {
    const running = this.#running();
    if (running.state === "current") running.state = "old";
    const entry: Entry = {
      id: this.#nextId++,
      version: release.version,
      fromVersion: running.version,
      name: release.name,
      bundleId: release.bundleId,
      appliedAt: new Date().toISOString(),
      pauseMs: release.applied.pauseMs,
      state: "current",
      applied: release.applied,
      reason: undefined,
      ...(release.functions?.length ? { functions: [...release.functions] } : {}),
      ...(release.warnings?.length ? { warnings: release.warnings.map((w) => ({ ...w })) } : {}),
      ...(release.checking ? { checking: true } : {}),
    };
    this.#entries.push(entry);
    this.#trim();
    return this.#view(entry);
  }

  /** The update of release `id`, recorded while `checking`, finished with it standing. */
  checked(id: number): void {
    const entry = this.#entries.find((e) => e.id === id);
    if (entry) delete entry.checking;
  }

  /**
   * The update of release `id`, recorded while `checking`, undid it (the
   * health check after the commit failed): the engine has rolled it back
   * already, so the history only says so, and the release beneath runs again.
   */
  undone(id: number, reason: string): void {
    const entry = this.#entries.find((e) => e.id === id && e.state === "current");
    if (!entry) return;
    delete entry.checking;
    this.#rolledBack(entry, reason);
  }

  /**
   * Records a release that committed and was rolled back before it was
   * recorded (the health check run right after the commit failed): status
   * lists it as a window's rollback would, and the running release stays.
   */
  recordRolledBack(release: {
    readonly version: string;
    readonly name: string;
    readonly bundleId?: string;
    readonly pauseMs: number;
    readonly reason: string;
    readonly functions?: readonly string[];
  }): ReleaseRecord {
    const entry: Entry = {
      id: this.#nextId++,
      version: release.version,
      fromVersion: this.#running().version,
      name: release.name,
      bundleId: release.bundleId,
      appliedAt: new Date().toISOString(),
      pauseMs: release.pauseMs,
      state: "rolled-back",
      applied: undefined,
      reason: release.reason,
      ...(release.functions?.length ? { functions: [...release.functions] } : {}),
    };
    this.#entries.push(entry);
    this.#trim();
    return this.#view(entry);
  }

  /**
   * Rolls the current release back; the release beneath it runs again.
   * Refused (ReleaseStateError, nothing changed) when the running release is
   * permanent; the engine's own refusal (RollbackError) passes through with
   * nothing changed either.
   */
  rollback(reason = "rolled back on request"): ReleaseRecord {
    const current = this.#rollbackable();
    current.applied!.rollback();
    return this.#rolledBack(current, reason);
  }

  /**
   * `rollback` as the release was applied: one the lifecycle applied waits
   * for its update's alterability (no call of its code resumes on the old
   * layout), refused (RollbackError, nothing changed) past its time-out
   * (lifecycle/quiescentRollback.ts). The control channel and the
   * health-check window use it; `rollback` is for an update point.
   */
  async rollbackWhenQuiescent(reason = "rolled back on request"): Promise<ReleaseRecord> {
    const current = this.#rollbackable();
    const applied = current.applied!;
    await (applied.rollbackWhenQuiescent?.() ?? applied.rollback());
    return this.#rolledBack(current, reason);
  }

  #rollbackable(): Entry {
    const current = this.#entries.find((e) => e.state === "current");
    if (current) return current;
    throw new ReleaseStateError(
      `release ${this.version} of namespace ${this.namespace} is permanent: there is nothing to roll back to`,
      { namespace: this.namespace, version: this.version },
    );
  }

  #rolledBack(current: Entry, reason: string): ReleaseRecord {
    current.state = "rolled-back";
    current.applied = undefined;
    current.reason = reason;
    this.#resumeBeneath();
    tellRolledBack(this, { id: current.id, bundleId: current.bundleId });
    return this.#view(this.#running());
  }

  /** The newest release beneath the one rolled back that can still run becomes current again. */
  #resumeBeneath(): void {
    const permanentAt = this.#entries.indexOf(this.#permanent());
    for (let i = this.#entries.length - 1; i > permanentAt; i--) {
      const e = this.#entries[i]!;
      if (e.state === "old" && e.applied) {
        e.state = "current";
        break;
      }
    }
  }

  /** Rolls back release `id` if it is still the current one (a health check's verdict arrives late). */
  rollbackIfCurrent(id: number, reason: string): boolean {
    const current = this.#entries.find((e) => e.state === "current");
    if (current?.id !== id) return false;
    this.rollback(reason);
    return true;
  }

  /** `rollbackIfCurrent` through `rollbackWhenQuiescent`. */
  async rollbackIfCurrentWhenQuiescent(id: number, reason: string): Promise<boolean> {
    const current = this.#entries.find((e) => e.state === "current");
    if (current?.id !== id) return false;
    await this.rollbackWhenQuiescent(reason);
    return true;
  }

  /**
   * Makes the current release permanent: it and every release beneath it
   * drop what rollback needs (the engine's `makePermanent`), and the ones
   * beneath become old, with no way back.
   */
  makePermanent(): ReleaseRecord {
    const current = this.#entries.find((e) => e.state === "current");
    if (!current) {
      throw new ReleaseStateError(
        `release ${this.version} of namespace ${this.namespace} is already permanent`,
        { namespace: this.namespace, version: this.version },
      );
    }
    const permanent = this.#permanent();
    const below = this.#entries.filter(
      (e) => e !== current && e.applied !== undefined && e.state === "old",
    );
    // The newest first: a failure leaves the releases beneath as they were.
    current.applied!.makePermanent();
    for (const e of below.reverse()) {
      e.applied!.makePermanent();
      e.applied = undefined;
    }
    permanent.state = "old";
    permanent.applied = undefined;
    current.state = "permanent";
    this.#trim();
    return this.#view(current);
  }

  releases(): ReleaseRecord[] {
    return this.#entries.map((e) => this.#view(e));
  }

  status(): ReleaseStatus {
    const releases = this.releases();
    return {
      namespace: this.namespace,
      version: this.version,
      releases,
      pending: releases.reduce((n, r) => n + r.pending, 0),
      lastPauses: this.#entries
        .filter((e) => e.appliedAt !== undefined)
        .slice(-this.#pausesShown)
        .map((e) => ({ version: e.version, pauseMs: e.pauseMs })),
    };
  }

  #view(e: Entry): ReleaseRecord {
    let pending = 0;
    try {
      pending = e.applied?.pendingInstances() ?? 0;
    } catch {
      // A status query must not fail because one count did.
    }
    return {
      id: e.id,
      version: e.version,
      ...(e.fromVersion !== undefined ? { fromVersion: e.fromVersion } : {}),
      name: e.name,
      ...(e.bundleId !== undefined ? { bundleId: e.bundleId } : {}),
      state: e.state,
      ...(e.appliedAt !== undefined ? { appliedAt: e.appliedAt } : {}),
      pauseMs: e.pauseMs,
      pending,
      canRollBack: e.state === "current" && e.checking !== true,
      ...(e.reason !== undefined ? { reason: e.reason } : {}),
      ...(e.functions !== undefined ? { functions: e.functions } : {}),
      ...(e.warnings !== undefined ? { warnings: e.warnings } : {}),
      ...(e.checking ? { checking: true } : {}),
    };
  }

  /** Drops the oldest records that no rollback can reach. */
  #trim(): void {
    while (this.#entries.length > this.#keep) {
      const i = this.#entries.findIndex(
        (e) => (e.state === "old" && e.applied === undefined) || e.state === "rolled-back",
      );
      if (i < 0) return;
      this.#entries.splice(i, 1);
    }
  }
}
