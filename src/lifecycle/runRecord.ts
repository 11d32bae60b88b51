/**
 * The record of one lifecycle attempt: its status changes and timed steps
 * as events (passed to the observer, whose failures never change the
 * update), the time spent in each status, and the facts the final report
 * carries. The run (run.ts) decides; this only writes down.
 */
import { performance } from "node:perf_hooks";
import type { AppliedUpdate } from "./apply.js";
import type { CallRecord } from "./callTracking.js";
import type { ComponentAnswer, ResumeFailure } from "./cooperative.js";
import type { FinalStatus, LifecycleEvent, LifecycleStatus, LifecycleStep } from "./events.js";
import type { LifecycleReport, RetirementReport } from "./report.js";

export interface ReportExtra {
  readonly reason?: string;
  readonly error?: unknown;
  readonly retirement?: RetirementReport;
  readonly detail?: Record<string, unknown>;
}

export class RunRecord {
  readonly t0 = performance.now();
  readonly events: LifecycleEvent[] = [];
  readonly timings: Partial<Record<LifecycleStatus, number>> = {};
  readonly hookErrors: { step: LifecycleStep; error: unknown }[] = [];
  status: LifecycleStatus = "idle";
  private since = this.t0;
  // What the report tells, filled in by the run as it goes.
  holdMs = 0;
  heldCalls = 0;
  straddled: CallRecord[] = [];
  componentAnswers: readonly ComponentAnswer[] = [];
  resumeFailures: readonly ResumeFailure[] = [];
  applied: AppliedUpdate | undefined;
  pauseMs = 0;

  constructor(
    readonly name: string,
    readonly attempt: number,
    private readonly onEvent: ((event: LifecycleEvent) => void) | undefined,
  ) {}

  emit(event: LifecycleEvent): void {
    this.events.push(event);
    try {
      this.onEvent?.(event);
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

  /** Runs a step and records how long it took (a throw passes through unrecorded). */
  async step<T>(
    step: LifecycleStep,
    run: () => T | Promise<T>,
    detail?: (value: T) => Record<string, unknown>,
  ): Promise<T> {
    const t = performance.now();
    const value = await run();
    this.stepTook(step, t, detail?.(value));
    return value;
  }

  /** `step` for the steps of the synchronous block, which must not yield. */
  syncStep<T>(step: LifecycleStep, run: () => T): T {
    const t = performance.now();
    const value = run();
    this.stepTook(step, t);
    return value;
  }

  private stepTook(step: LifecycleStep, startedAt: number, detail?: Record<string, unknown>) {
    const now = performance.now();
    this.emit({
      type: "step",
      update: this.name,
      attempt: this.attempt,
      step,
      atMs: now - this.t0,
      ms: now - startedAt,
      ...(detail ? { detail } : {}),
    });
  }

  /** A hook that may fail without changing the outcome: its error is reported. */
  async tolerantStep(step: LifecycleStep, run: () => void | Promise<void>): Promise<void> {
    try {
      await this.step(step, run);
    } catch (error) {
      this.hookErrors.push({ step, error });
    }
  }

  /** Moves to the final status and assembles the report. */
  report(status: FinalStatus, extra: ReportExtra = {}): LifecycleReport {
    const detail = {
      ...(extra.detail ?? {}),
      ...(extra.error === undefined
        ? {}
        : { error: (extra.error as Error)?.message ?? String(extra.error) }),
    };
    this.to(status, extra.reason, Object.keys(detail).length > 0 ? detail : undefined);
    const now = performance.now();
    // Time in the final status: after a commit, the resume / wait-until-over / clean-up steps.
    this.timings[this.status] = (this.timings[this.status] ?? 0) + (now - this.since);
    this.since = now;
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
      timings: { ...this.timings, total: now - this.t0 },
      ...(extra.retirement ? { retirement: extra.retirement } : {}),
      events: this.events,
    };
  }
}
