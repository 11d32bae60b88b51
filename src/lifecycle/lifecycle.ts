/**
 * The update lifecycle (Pymoult's manager steps, "Prepare to Die", Erlang's
 * suspend / code_change / resume) around the migration pipeline:
 *
 *   check requirements ─ never ──► cancelled
 *        │ not yet ──────────────► postponed
 *   set-up ─► prepare components ─► wait for alterability ── time-out / refusal ─► clean-up after
 *        (two-phase, phase 1)        (criterion; forced quiescence          failed alterability ─► postponed
 *                                     holds new calls at entry)
 *   ┌─ one synchronous block ─────────────────────────────────────────┐
 *   │ final alterability check ─► suspend ─► transfer states ─► apply │─ refused ─► failed (nothing changed)
 *   └──────────────────────────────────────────────────────────────────┘
 *   health check ─ fails ─► rolled back
 *   pre-resume set-up ─► resume (release held calls, components resume) ─► wait until over ─► clean-up
 *
 * Each step is a hook with a default; the built-in mechanics (tracking,
 * holding, the two-phase protocol) run around the hooks, so a hook adds to
 * them and cannot forget to release a held call. Every status change is an
 * event carrying timings, and the final report says what happened and why.
 *
 * The final alterability check, `suspend`, the state transfer and `apply`
 * run in one synchronous block: in JavaScript nothing else runs inside it,
 * so what was checked is still true at the commit. `suspend` and `apply`
 * must therefore be synchronous.
 */
import { performance } from "node:perf_hooks";
import { LifecycleError } from "../errors.js";
import { currentVersion } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Patch } from "../patch/patch.js";
import type { UpdateEvent, UpdateOptions } from "../migration/update.js";
import { affectedClasses } from "./affected.js";
import type { Criterion, Evaluation } from "./alterability.js";
import {
  allOf,
  always,
  evaluate,
  quiescenceTargets,
  quiescent,
  waitUntilAlterable,
} from "./alterability.js";
import type { AppliedUpdate } from "./apply.js";
import { applyUpdate, preflight } from "./apply.js";
import type { CallRecord, CallTracker, Hold, QuiescenceTarget } from "./callTracking.js";
import type { ComponentAnswer, Cooperative, Preparation, ResumeFailure } from "./cooperative.js";
import { prepareComponents } from "./cooperative.js";

export type LifecycleStatus =
  | "idle"
  | "checking"
  | "preparing"
  | "waiting"
  | "applying"
  | "migrating"
  | "validating"
  | "committed"
  | "rolled-back"
  | "failed"
  | "postponed"
  | "cancelled";

/** How an attempt ends. */
export type FinalStatus = "committed" | "rolled-back" | "failed" | "postponed" | "cancelled";

export type LifecycleStep =
  | "check-requirements"
  | "set-up"
  | "preflight"
  | "prepare-components"
  | "wait-for-alterability"
  | "clean-up-after-failed-alterability"
  | "suspend"
  | "apply"
  | "health-check"
  | "pre-resume"
  | "resume"
  | "wait-until-over"
  | "clean-up";

export type LifecycleEvent =
  | {
      readonly type: "transition";
      readonly update: string;
      readonly attempt: number;
      readonly from: LifecycleStatus;
      readonly to: LifecycleStatus;
      /** ms since the attempt started. */
      readonly atMs: number;
      /** ms spent in `from`. */
      readonly previousMs: number;
      readonly reason?: string;
      readonly detail?: Readonly<Record<string, unknown>>;
    }
  | {
      readonly type: "step";
      readonly update: string;
      readonly attempt: number;
      readonly step: LifecycleStep;
      readonly atMs: number;
      /** How long the step took. */
      readonly ms: number;
      readonly detail?: Readonly<Record<string, unknown>>;
    };

/** "ready", "not-yet" (postpone and retry later) or "never" (cancel). */
export type RequirementVerdict = "ready" | "not-yet" | "never";
export type Requirement =
  | RequirementVerdict
  | { readonly verdict: RequirementVerdict; readonly reason?: string };

export interface LifecycleContext {
  readonly name: string;
  readonly attempt: number;
  readonly update: LifecycleUpdate;
  readonly tracker: CallTracker | undefined;
  /** Live classes the update changes or migrates, with their subclasses. */
  readonly affected: readonly Constructor[];
  /** Aborts when the update is cancelled (honoured until the apply step). */
  readonly signal: AbortSignal;
}

/** Steps of the lifecycle. Every hook is optional; the defaults are given per hook. */
export interface LifecycleHooks {
  /** Default "ready". "not-yet" postpones the update; "never" cancels it. */
  checkRequirements?(ctx: LifecycleContext): Requirement | Promise<Requirement>;
  /** Prepares the program for the update (default: nothing). Undo it in `cleanUpAfterFailedAlterability`. */
  setUp?(ctx: LifecycleContext): void | Promise<void>;
  /** Runs when alterability was not reached (time-out, refusal, cancellation): undo `setUp` (default: nothing). */
  cleanUpAfterFailedAlterability?(ctx: LifecycleContext, reason: string): void | Promise<void>;
  /** Synchronous, right before `apply`, after the last alterability check (default: nothing). */
  suspend?(ctx: LifecycleContext): void;
  /**
   * Synchronous; commits or throws with nothing changed. Default: `next()`,
   * which runs `applyUpdate` (the migration pipeline, with the cooperative
   * private-state path). A hook may wrap `next`.
   */
  apply?(ctx: LifecycleContext, next: () => AppliedUpdate): AppliedUpdate;
  /** After the commit (and health check), before anything resumes (default: nothing). */
  preResume?(ctx: LifecycleContext, applied: AppliedUpdate): void | Promise<void>;
  /** After held calls were released and components resumed (default: nothing). */
  resume?(ctx: LifecycleContext, applied: AppliedUpdate | undefined): void | Promise<void>;
  /**
   * Waits until no object is left on an old layout. Default: eager — nothing
   * to wait for; progressive — the sweep's completion; lazy — until no
   * pending instance is left; both for at most `overTimeoutMs`, after which
   * the rest migrates at once.
   */
  waitUntilOver?(ctx: LifecycleContext, applied: AppliedUpdate): void | Promise<void>;
  /** At the end of every attempt that got past set-up and did not fail alterability (default: nothing). */
  cleanUp?(ctx: LifecycleContext, status: FinalStatus): void | Promise<void>;
}

export interface LifecycleUpdate {
  /** Default: the patch's name. */
  readonly name?: string;
  readonly namespace: Namespace;
  readonly patch: Patch;
  /** Options of the migration pipeline (policy, healthCheck, sliceSize, onEvent). */
  readonly options?: UpdateOptions;
  /**
   * When the update may be applied. Default: quiescence of the affected
   * classes when a call tracker is available, otherwise always (the caller's
   * update point).
   */
  readonly alterability?: Criterion;
  /**
   * Forced quiescence: hold new calls of the quiesced methods at entry while
   * waiting, apply as soon as the in-flight ones drained, then release them
   * in arrival order on the new version (on the old one if the update is
   * postponed). Needs a call tracker.
   */
  readonly forceQuiescence?: boolean;
  /** Time-out for reaching alterability (ms). Default 5000. */
  readonly timeoutMs?: number;
  readonly components?: readonly Cooperative[];
  /** Time-out for components to answer (ms). Default: `timeoutMs`. */
  readonly prepareTimeoutMs?: number;
  /**
   * Transforms a component's handed-over state into what it resumes from
   * after the commit (Erlang's code_change). Runs inside the synchronous
   * block before the commit; a throw refuses the update. Default: identity.
   */
  readonly transferState?: (state: unknown, component: Cooperative) => unknown;
  /** Classes whose code the update affects. Default: `affectedClasses(namespace, patch)`. */
  readonly affects?: readonly Constructor[];
  /** Bound of the wait-until-over step (ms). Default 1000. */
  readonly overTimeoutMs?: number;
  readonly hooks?: LifecycleHooks;
}

export interface RunOptions {
  readonly tracker?: CallTracker;
  /** Attempt number (managers count them). Default 1. */
  readonly attempt?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: LifecycleEvent) => void;
  /** `performance.now()` after which the update must not commit (a window's end). */
  readonly deadline?: number;
  /** What an update without `alterability` waits for. Default: "quiescence" with a tracker, else "update-point". */
  readonly defaultAlterability?: "quiescence" | "update-point";
  /**
   * Affected classes the tracker did not track yet are tracked for this run;
   * "keep" leaves them tracked afterwards (managers), "for-this-run" untracks
   * them at the end. Default "for-this-run".
   */
  readonly autoTrack?: "keep" | "for-this-run";
}

/** Objects and code of retired versions still alive after an update. */
export interface RetirementReport {
  /** Class versions this update retired. */
  readonly retired: readonly {
    readonly className: string;
    readonly version: number;
    readonly replacedBy: number;
  }[];
  /** Objects still on a retired layout (lazy or progressive migration not over). */
  readonly pendingInstances: number;
  /** Objects still carrying a retired version's private fields (unreadable; freed with the objects). */
  readonly retiredPrivateState: number;
  /** Calls that started on a retired version and are still running: old code on updated objects. */
  readonly oldCodeRunning: readonly CallRecord[];
  /** Retired versions are kept so that the update can be rolled back, until `makePermanent()`. */
  readonly retainedForRollback: boolean;
}

export interface LifecycleReport {
  readonly update: string;
  readonly attempt: number;
  readonly status: FinalStatus;
  /** Why it did not commit (or why it rolled back). */
  readonly reason?: string;
  readonly error?: unknown;
  readonly applied?: AppliedUpdate;
  /**
   * How long the program could not run (ms): the synchronous block from the
   * last alterability check to the end of apply (`applied.pauseMs` is the
   * apply step alone); 0 when nothing was applied.
   */
  readonly pauseMs: number;
  /** How long calls were held at entry (ms); 0 without forced quiescence. */
  readonly holdMs: number;
  /** Calls held at entry and released. */
  readonly heldCalls: number;
  /** Tracked calls in flight at the commit (they started on the old version and finish on the new one). */
  readonly straddled: readonly CallRecord[];
  readonly components: readonly ComponentAnswer[];
  readonly resumeFailures: readonly ResumeFailure[];
  /** Errors of hooks after the commit (the update stays committed). */
  readonly hookErrors: readonly { readonly step: LifecycleStep; readonly error: unknown }[];
  /** ms spent in each status, and the total. */
  readonly timings: Readonly<Partial<Record<LifecycleStatus, number>>> & { readonly total: number };
  readonly retirement?: RetirementReport;
  readonly events: readonly LifecycleEvent[];
}

const FINAL: ReadonlySet<LifecycleStatus> = new Set([
  "committed",
  "rolled-back",
  "failed",
  "postponed",
  "cancelled",
]);

export function isFinal(status: LifecycleStatus): status is FinalStatus {
  return FINAL.has(status);
}

function normalise(requirement: Requirement | undefined): {
  verdict: RequirementVerdict;
  reason?: string;
} {
  if (requirement === undefined) return { verdict: "ready" };
  if (typeof requirement === "string") return { verdict: requirement };
  return requirement;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function defaultWaitUntilOver(
  applied: AppliedUpdate,
  overTimeoutMs: number,
  tracker?: CallTracker,
) {
  if (applied.policy !== "eager" && applied.pendingInstances() > 0) {
    if (applied.policy === "progressive") {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        applied.completion,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, overTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
    } else {
      const end = performance.now() + overTimeoutMs;
      while (performance.now() < end && applied.pendingInstances() > 0)
        await sleep(Math.min(50, end - performance.now()));
    }
  }
  // Whatever is left migrates now; the lazy guards go, and tracking wraps
  // the bare methods again in the same synchronous block.
  applied.completeMigration();
  tracker?.refresh();
}

/** Runs one attempt of an update through the lifecycle. Never rejects: every outcome is a report. */
export function runUpdate(
  update: LifecycleUpdate,
  options: RunOptions = {},
): Promise<LifecycleReport> {
  return new Run(update, options).execute();
}

class Run {
  readonly name: string;
  readonly attempt: number;
  readonly t0 = performance.now();
  readonly events: LifecycleEvent[] = [];
  readonly timings: Partial<Record<LifecycleStatus, number>> = {};
  readonly hookErrors: { step: LifecycleStep; error: unknown }[] = [];
  readonly ctx: LifecycleContext;
  readonly hooks: LifecycleHooks;
  readonly tracker: CallTracker | undefined;
  readonly signal: AbortSignal;
  status: LifecycleStatus = "idle";
  since = this.t0;
  hold: Hold | undefined;
  holdMs = 0;
  heldCalls = 0;
  preparation: Preparation | undefined;
  resumeFailures: readonly ResumeFailure[] = [];
  setUpDone = false;
  autoTracked: Constructor[] = [];
  straddled: CallRecord[] = [];
  applied: AppliedUpdate | undefined;
  pauseMs = 0;

  constructor(
    readonly update: LifecycleUpdate,
    readonly options: RunOptions,
  ) {
    this.name = update.name ?? update.patch.name;
    this.attempt = options.attempt ?? 1;
    this.tracker = options.tracker;
    this.hooks = update.hooks ?? {};
    this.signal = options.signal ?? new AbortController().signal;
    this.ctx = {
      name: this.name,
      attempt: this.attempt,
      update,
      tracker: this.tracker,
      affected: update.affects ?? affectedClasses(update.namespace, update.patch),
      signal: this.signal,
    };
  }

  emit(event: LifecycleEvent): void {
    this.events.push(event);
    try {
      this.options.onEvent?.(event);
    } catch {
      // An observer's failure must not change the update.
    }
  }

  to(status: LifecycleStatus, reason?: string, detail?: Record<string, unknown>): void {
    if (status === this.status) return;
    const now = performance.now();
    const previousMs = now - this.since;
    this.timings[this.status] = (this.timings[this.status] ?? 0) + previousMs;
    this.emit({
      type: "transition",
      update: this.name,
      attempt: this.attempt,
      from: this.status,
      to: status,
      atMs: now - this.t0,
      previousMs,
      ...(reason === undefined ? {} : { reason }),
      ...(detail === undefined ? {} : { detail }),
    });
    this.status = status;
    this.since = now;
  }

  async step<T>(
    step: LifecycleStep,
    run: () => T | Promise<T>,
    detail?: (value: T) => Record<string, unknown>,
  ): Promise<T> {
    const t = performance.now();
    const value = await run();
    this.emit({
      type: "step",
      update: this.name,
      attempt: this.attempt,
      step,
      atMs: performance.now() - this.t0,
      ms: performance.now() - t,
      ...(detail ? { detail: detail(value) } : {}),
    });
    return value;
  }

  syncStep<T>(step: LifecycleStep, run: () => T): T {
    const t = performance.now();
    const value = run();
    this.emit({
      type: "step",
      update: this.name,
      attempt: this.attempt,
      step,
      atMs: performance.now() - this.t0,
      ms: performance.now() - t,
    });
    return value;
  }

  /** After a post-commit hook throws: the update stays committed, the error is reported. */
  async afterCommitStep(step: LifecycleStep, run: () => void | Promise<void>): Promise<void> {
    try {
      await this.step(step, run);
    } catch (error) {
      this.hookErrors.push({ step, error });
    }
  }

  criterion(): { criterion: Criterion; holdTargets: readonly QuiescenceTarget[] } {
    const { update, tracker, ctx } = this;
    const byDefault =
      (this.options.defaultAlterability ?? (tracker ? "quiescence" : "update-point")) ===
      "quiescence"
        ? quiescent(...ctx.affected)
        : always;
    let criterion = update.alterability ?? byDefault;
    let holdTargets: QuiescenceTarget[] = [];
    if (update.forceQuiescence) {
      if (!tracker) {
        throw new LifecycleError(
          `update ${this.name} forces quiescence, which needs a call tracker`,
          { update: this.name },
        );
      }
      holdTargets = quiescenceTargets(criterion);
      if (holdTargets.length === 0) {
        holdTargets = [...ctx.affected];
        criterion = allOf(criterion, quiescent(...holdTargets));
      }
    }
    return { criterion, holdTargets };
  }

  ensureTracked(targets: readonly QuiescenceTarget[]): void {
    const tracker = this.tracker;
    if (!tracker) return;
    for (const target of targets) {
      const cls = typeof target === "function" ? target : target.class;
      if (!tracker.isTracking(cls)) {
        tracker.track(cls);
        this.autoTracked.push(cls);
      }
    }
    tracker.refresh();
  }

  /** Ends the hold (if any) and resumes components (if any), once. */
  async releaseAll(
    committed: boolean,
    reason?: string,
    states?: ReadonlyMap<Cooperative, unknown>,
  ): Promise<void> {
    if (this.hold && !this.hold.released) {
      this.holdMs = performance.now() - this.hold.startedAt;
      this.heldCalls = this.hold.release();
    }
    const preparation = this.preparation;
    this.preparation = undefined;
    if (preparation) {
      this.resumeFailures = await preparation.resume(
        { update: this.name, committed, ...(reason === undefined ? {} : { reason }) },
        states,
      );
    }
  }

  report(
    status: FinalStatus,
    extra: {
      reason?: string;
      error?: unknown;
      retirement?: RetirementReport;
      detail?: Record<string, unknown>;
    } = {},
  ): LifecycleReport {
    const detail = {
      ...(extra.detail ?? {}),
      ...(extra.error === undefined
        ? {}
        : { error: (extra.error as Error)?.message ?? String(extra.error) }),
    };
    this.to(status, extra.reason, Object.keys(detail).length > 0 ? detail : undefined);
    if (this.options.autoTrack !== "keep")
      for (const cls of this.autoTracked) this.tracker?.untrack(cls);
    const now = performance.now();
    // Time in the final status: after a commit, the resume / wait-until-over / clean-up steps.
    this.timings[this.status] = (this.timings[this.status] ?? 0) + (now - this.since);
    this.since = now;
    const total = now - this.t0;
    return {
      update: this.name,
      attempt: this.attempt,
      status,
      ...(extra.reason === undefined ? {} : { reason: extra.reason }),
      ...(extra.error === undefined ? {} : { error: extra.error }),
      ...(this.applied ? { applied: this.applied } : {}),
      pauseMs: this.pauseMs,
      holdMs: this.holdMs,
      heldCalls: this.heldCalls,
      straddled: this.straddled,
      components: this.componentAnswers,
      resumeFailures: this.resumeFailures,
      hookErrors: this.hookErrors,
      timings: { ...this.timings, total },
      ...(extra.retirement ? { retirement: extra.retirement } : {}),
      events: this.events,
    };
  }

  componentAnswers: readonly ComponentAnswer[] = [];

  /** Alterability was not reached: nothing changed, everything resumes as it was. */
  async notAlterable(
    status: "postponed" | "cancelled",
    reason: string,
    detail?: Evaluation,
  ): Promise<LifecycleReport> {
    await this.releaseAll(false, reason);
    if (this.setUpDone && this.hooks.cleanUpAfterFailedAlterability) {
      try {
        await this.step("clean-up-after-failed-alterability", () =>
          this.hooks.cleanUpAfterFailedAlterability!(this.ctx, reason),
        );
      } catch (error) {
        this.hookErrors.push({ step: "clean-up-after-failed-alterability", error });
      }
    }
    return this.report(status, {
      reason,
      ...(detail ? { detail: { blocking: detail.blocking } } : {}),
    });
  }

  async failed(reason: string, error: unknown): Promise<LifecycleReport> {
    await this.releaseAll(false, reason);
    if (this.setUpDone && this.hooks.cleanUp)
      await this.afterCommitStep("clean-up", () => this.hooks.cleanUp!(this.ctx, "failed"));
    return this.report("failed", { reason, error });
  }

  cancelledReason(): string {
    const r: unknown = this.signal.reason;
    return r instanceof Error ? r.message : typeof r === "string" ? r : "cancelled";
  }

  async execute(): Promise<LifecycleReport> {
    try {
      return await this.lifecycle();
    } catch (error) {
      if (this.applied) {
        // After the commit the update stands; the error is reported.
        this.hookErrors.push({ step: "clean-up", error });
        await this.releaseAll(true);
        return this.report(this.status === "rolled-back" ? "rolled-back" : "committed");
      }
      // A hook or the machinery threw before the commit: nothing changed.
      return this.failed(`${(error as Error)?.message ?? String(error)}`, error);
    }
  }

  async lifecycle(): Promise<LifecycleReport> {
    const { update, hooks, ctx, tracker } = this;

    // --- check requirements
    this.to("checking");
    if (this.signal.aborted) return this.report("cancelled", { reason: this.cancelledReason() });
    const requirement = normalise(
      await this.step("check-requirements", () => hooks.checkRequirements?.(ctx) ?? "ready"),
    );
    if (requirement.verdict === "never") {
      return this.report("cancelled", {
        reason: requirement.reason ?? "its requirements will never be met",
      });
    }
    if (requirement.verdict === "not-yet") {
      return this.report("postponed", {
        reason: requirement.reason ?? "its requirements are not met yet",
      });
    }
    if (this.signal.aborted) return this.report("cancelled", { reason: this.cancelledReason() });

    // --- set-up, tracking, cooperative components (phase one)
    this.to("preparing");
    const { criterion, holdTargets } = this.criterion();
    await this.step("set-up", () => hooks.setUp?.(ctx));
    this.setUpDone = true;
    try {
      this.syncStep("preflight", () => preflight(update.namespace, update.patch));
    } catch (error) {
      return this.failed(
        `refused, nothing changed: ${(error as Error)?.message ?? String(error)}`,
        error,
      );
    }
    this.ensureTracked([...quiescenceTargets(criterion), ...holdTargets]);
    const timeoutMs = update.timeoutMs ?? 5000;
    if (update.components && update.components.length > 0) {
      const notice = {
        update: this.name,
        attempt: this.attempt,
        classes: ctx.affected.map((c) => c.name),
      };
      this.preparation = await this.step(
        "prepare-components",
        () => prepareComponents(update.components!, notice, update.prepareTimeoutMs ?? timeoutMs),
        (preparation) => ({ answers: preparation.answers }),
      );
      this.componentAnswers = this.preparation.answers;
      if (!this.preparation.ready) {
        const why = this.preparation.answers
          .filter((a) => a.verdict !== "ready")
          .map((a) => `${a.component} ${a.verdict}${a.reason ? `: ${a.reason}` : ""}`)
          .join("; ");
        return this.notAlterable("postponed", `a component is not ready (${why})`);
      }
    }
    if (this.signal.aborted) return this.notAlterable("cancelled", this.cancelledReason());

    // --- wait for alterability (forced quiescence holds new calls meanwhile)
    this.to(
      "waiting",
      undefined,
      holdTargets.length > 0 ? { holding: tracker!.holdableMethods(holdTargets) } : undefined,
    );
    const waitStart = performance.now();
    const deadline = Math.min(
      waitStart + timeoutMs,
      this.options.deadline ?? Number.POSITIVE_INFINITY,
    );
    if (holdTargets.length > 0) this.hold = tracker!.hold(holdTargets);
    let states: ReadonlyMap<Cooperative, unknown> | undefined;
    let blockStart = 0;
    for (;;) {
      const outcome = await this.step("wait-for-alterability", () =>
        waitUntilAlterable(criterion, {
          timeoutMs: deadline - performance.now(),
          signal: this.signal,
          ...(tracker ? { tracker } : {}),
        }),
      );
      if (!outcome.met) {
        if (outcome.why === "cancelled")
          return this.notAlterable("cancelled", this.cancelledReason(), outcome.evaluation);
        return this.notAlterable(
          "postponed",
          `not alterable within ${Math.round(deadline - waitStart)} ms: ${outcome.evaluation.blocking.join("; ") || "criterion not met"}`,
          outcome.evaluation,
        );
      }
      // ---- one synchronous block from here to the end of apply ----
      blockStart = performance.now();
      if (!evaluate(criterion, tracker).met) continue; // the program moved on in between; wait again
      try {
        this.syncStep("suspend", () => hooks.suspend?.(ctx));
        if (this.preparation && update.transferState) {
          const transfer = update.transferState;
          states = new Map(
            [...this.preparation.states].map(([c, s]) => [c, transfer(s, c)] as const),
          );
        }
      } catch (error) {
        return this.failed(
          `suspend or state transfer threw: ${(error as Error)?.message ?? String(error)}`,
          error,
        );
      }
      break;
    }
    const versionsBefore = classVersions(update.namespace);
    // What is running now finishes on the new version (still one synchronous block).
    this.straddled = tracker?.inFlight() ?? [];
    this.to("applying");
    const userOnEvent = update.options?.onEvent;
    const onEvent = (event: UpdateEvent) => {
      if (event.status === "start" && event.phase === "migrate") this.to("migrating");
      if (event.status === "start" && event.phase === "validate") this.to("validating");
      // Lazy guards came or went, or a rollback restored old methods: wrap what is installed now.
      if (event.status === "end" && (event.phase === "sweep" || event.phase === "rollback"))
        tracker?.refresh();
      userOnEvent?.(event);
    };
    const next = () => applyUpdate(update.namespace, update.patch, { ...update.options, onEvent });
    try {
      this.applied = this.syncStep("apply", () => (hooks.apply ? hooks.apply(ctx, next) : next()));
    } catch (error) {
      tracker?.refresh();
      this.pauseMs = performance.now() - blockStart;
      return this.failed(
        `refused, nothing changed: ${(error as Error)?.message ?? String(error)}`,
        error,
      );
    }
    tracker?.refresh();
    this.pauseMs = performance.now() - blockStart;
    // ---- end of the synchronous block ----
    const applied = this.applied;
    this.to("committed", undefined, {
      pauseMs: this.pauseMs,
      migrated: applied.instancesMigrated,
      straddled: this.straddled.length,
      toVersion: applied.toVersion,
    });

    let status: FinalStatus = "committed";
    let reason: string | undefined;
    const healthCheck = update.options?.healthCheck;
    if (healthCheck) {
      let healthy = false;
      try {
        healthy = await this.step("health-check", () => healthCheck());
      } catch {
        healthy = false;
      }
      if (!healthy) {
        try {
          applied.rollback();
          tracker?.refresh();
          status = "rolled-back";
          reason = "the health check failed after the commit";
          this.to("rolled-back", reason);
        } catch (error) {
          this.hookErrors.push({ step: "health-check", error });
        }
      }
    }
    const committed = status === "committed";
    if (hooks.preResume)
      await this.afterCommitStep("pre-resume", () => hooks.preResume!(ctx, applied));
    await this.afterCommitStep("resume", async () => {
      await this.releaseAll(committed, reason, committed ? states : undefined);
      await hooks.resume?.(ctx, applied);
    });
    if (committed) {
      await this.afterCommitStep("wait-until-over", () =>
        hooks.waitUntilOver
          ? hooks.waitUntilOver(ctx, applied)
          : defaultWaitUntilOver(applied, update.overTimeoutMs ?? 1000, tracker),
      );
    }
    const retirement = retirementReport(
      update.namespace,
      versionsBefore,
      applied,
      tracker,
      this.straddled,
    );
    if (hooks.cleanUp) await this.afterCommitStep("clean-up", () => hooks.cleanUp!(ctx, status));
    return this.report(status, { ...(reason === undefined ? {} : { reason }), retirement });
  }
}

function classVersions(namespace: Namespace): Map<Constructor, { name: string; version: number }> {
  const out = new Map<Constructor, { name: string; version: number }>();
  for (const name of namespace.bindingNames()) {
    const b = namespace.binding(name);
    if (b.kind === "class")
      out.set(b.handle, { name, version: currentVersion(b.handle).definition.version });
  }
  return out;
}

/**
 * What of the retired versions is still alive after an update. Class handles
 * keep one prototype per class, so there are no "objects of the old class" in
 * the usual sense: an object belongs to a retired version while it is still
 * on the old layout (lazy or progressive migration not over), while it holds
 * a retired version's private fields, or while a call that started in the
 * old code is still running on it. The pending count uses the namespace's
 * instance finder (a heap query with `instanceFinder: "heap"`).
 */
export function retirementReport(
  namespace: Namespace,
  before: ReadonlyMap<Constructor, { name: string; version: number }>,
  applied: AppliedUpdate,
  tracker: CallTracker | undefined,
  straddled: readonly CallRecord[],
): RetirementReport {
  const retired: { className: string; version: number; replacedBy: number }[] = [];
  for (const [handle, was] of before) {
    const now = namespace.owns(handle) ? currentVersion(handle).definition.version : was.version;
    if (now !== was.version)
      retired.push({ className: was.name, version: was.version, replacedBy: now });
  }
  const rolledBack =
    applied.result?.state() === "rolled-back" || applied.adoption?.state() === "rolled-back";
  const permanent =
    applied.result?.state() === "permanent" || applied.adoption?.state() === "permanent";
  return {
    retired: rolledBack ? [] : retired,
    pendingInstances: applied.pendingInstances(),
    retiredPrivateState: rolledBack ? 0 : (applied.adoption?.retiredPrivateState() ?? 0),
    oldCodeRunning: tracker ? tracker.stillInFlight(straddled.map((c) => c.id)) : [],
    retainedForRollback: !rolledBack && !permanent,
  };
}
