/**
 * What a bundle's update leaves in the release history. The history follows
 * what runs: the release is recorded as soon as the engine has committed
 * it, while its update goes on — the health check run right after the
 * commit (up to its time-out), the resume — so that `status` meanwhile
 * shows the release serving requests (`checking`), not the one before it.
 * The update's end settles that record: kept (and its health-check window
 * opened), or marked rolled back when the update undid it.
 */
import type { AppliedUpdate, LifecycleEvent, LifecycleReport } from "../lifecycle/index.js";
import { recordedFunctions } from "./functions.js";
import { watchHealth } from "./healthWindow.js";
import type { ReleaseHistory, ReleaseWarning } from "./history.js";
import type { VerifiedBundle } from "./verify.js";

/** What of the service (applyBundle.ts ReleaseTarget) the record needs. */
export interface RecordTarget {
  readonly history: ReleaseHistory;
  readonly healthCheck?: () => boolean | Promise<boolean>;
  readonly signal?: AbortSignal;
}

/**
 * A bundle packed with a health-check window, applied to a service with no
 * health check (a plain `metamorph run` service, `listen` without one): no
 * check runs, so nothing rolls the release back by itself — said, since the
 * bundle reads as if something would.
 */
export function windowWithoutCheck(target: RecordTarget, bundle: VerifiedBundle): ReleaseWarning[] {
  const windowMs = bundle.payload.options.healthCheckWindowMs;
  if (windowMs === undefined || target.healthCheck) return [];
  return [
    {
      code: "MM_NO_HEALTH_CHECK",
      message: `the bundle asks for a health-check window of ${windowMs} ms, but this service has no health check: nothing runs through the window and nothing rolls the release back by itself (give listen a healthCheck; a plain metamorph run service has none)`,
    },
  ];
}

/** The engine's warnings in the form the channel carries and the history keeps. */
export function releaseWarnings(applied: AppliedUpdate | undefined): ReleaseWarning[] {
  return (applied?.result?.warnings ?? []).map((w) => ({
    code: w.code,
    className: w.className,
    message: w.message,
  }));
}

export class ReleaseRecorder {
  #applied: AppliedUpdate | undefined;
  /** The history's record, made at the commit. */
  #id: number | undefined;

  constructor(
    private readonly target: RecordTarget,
    private readonly bundle: VerifiedBundle,
  ) {}

  /** What the engine committed (the apply hook's `next()`). */
  committed(applied: AppliedUpdate): void {
    this.#applied = applied;
  }

  /** The lifecycle's events: its move to "committed" comes right after the engine's commit, before the health check. */
  onEvent(event: LifecycleEvent): void {
    if (event.type !== "transition" || event.to !== "committed") return;
    const applied = this.#applied;
    if (applied === undefined || this.#id !== undefined) return;
    const pauseMs = typeof event.detail?.pauseMs === "number" ? event.detail.pauseMs : 0;
    this.#id = this.#record(applied, pauseMs, true);
  }

  /** The update ended: settles the release's record; returns the objects still pending (committed). */
  finish(report: LifecycleReport, reason: string | undefined): number {
    const { history } = this.target;
    const applied = report.applied;
    if (report.status === "committed" && applied) {
      const id = this.#id ?? this.#record(applied, report.pauseMs, false);
      history.checked(id);
      this.#openWindow(id);
      return history.releases().find((r) => r.id === id)?.pending ?? 0;
    }
    if (this.#id !== undefined) {
      history.undone(this.#id, reason ?? `the update ended ${report.status} after the commit`);
    } else if (report.status === "rolled-back") {
      // It committed and was undone before the commit was recorded (the apply hook threw after next()).
      const { manifest } = this.bundle.payload;
      history.recordRolledBack({
        version: manifest.toVersion,
        name: manifest.name,
        bundleId: this.bundle.id,
        pauseMs: report.pauseMs,
        reason: reason ?? "rolled back",
        ...recordedFunctions(this.bundle),
      });
    }
    return 0;
  }

  #record(applied: AppliedUpdate, pauseMs: number, checking: boolean): number {
    const { target, bundle } = this;
    const { manifest } = bundle.payload;
    return target.history.record({
      version: manifest.toVersion,
      name: manifest.name,
      bundleId: bundle.id,
      ...recordedFunctions(bundle),
      warnings: [...releaseWarnings(applied), ...windowWithoutCheck(target, bundle)],
      applied: {
        pauseMs,
        pendingInstances: () => applied.pendingInstances(),
        rollback: () => applied.rollback(),
        rollbackWhenQuiescent: () => applied.rollbackWhenQuiescent(),
        makePermanent: () => applied.makePermanent(),
      },
      checking,
    }).id;
  }

  #openWindow(releaseId: number): void {
    const { target } = this;
    const windowMs = this.bundle.payload.options.healthCheckWindowMs;
    if (windowMs === undefined || !target.healthCheck) return;
    watchHealth({
      history: target.history,
      releaseId,
      check: target.healthCheck,
      windowMs,
      ...(target.signal ? { signal: target.signal } : {}),
    });
  }
}
