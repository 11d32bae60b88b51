/**
 * Update managers (Pymoult): a queue of updates applied one at a time
 * through the lifecycle.
 *
 * - `ExplicitManager`: the program calls `applyPending()` at points it knows
 *   are safe (update points). An update without its own criterion is applied
 *   there and then, without waiting for quiescence.
 * - `ScheduledManager`: runs by itself and applies each queued update as soon
 *   as its scheduling policy allows (as soon as possible; when the event
 *   loop is idle enough; within a time window) and the update is alterable
 *   (by default, its affected classes are quiescent).
 *
 * The queue is strictly ordered: an update that is postponed stays at the
 * head, and those behind it wait (they may build on it). A postponed update
 * is retried — by the scheduled manager after `retryDelayMs`, by the explicit
 * one at the next update point — until it commits, fails, is cancelled, or
 * reaches `maxAttempts`. Every ticket settles with a final report; the
 * manager never rejects.
 */
import { performance } from "node:perf_hooks";
import { LifecycleError } from "../errors.js";
import type { LifecycleReport } from "./lifecycle.js";
import type { SchedulePolicy } from "./schedulePolicies.js";
import { asap } from "./schedulePolicies.js";
import type { ManagerOptions } from "./updateManager.js";
import { UpdateManager } from "./updateManager.js";

/** The program decides when: `applyPending()` at its update points. */
export class ExplicitManager extends UpdateManager {
  protected readonly defaultAlterability = "update-point" as const;
  #pass: Promise<LifecycleReport[]> | undefined;

  /**
   * Applies queued updates now, in order, one at a time, until the queue is
   * empty or an update is postponed (it stays at the head for the next
   * update point). Returns the reports of this pass. A call made while a pass
   * runs joins that pass.
   */
  applyPending(): Promise<LifecycleReport[]> {
    if (this.#pass) return this.#pass;
    const pass = (async () => {
      const reports: LifecycleReport[] = [];
      try {
        for (;;) {
          const { outcome, report } = await this.attemptHead();
          if (report) reports.push(report);
          if (outcome !== "finished") break;
        }
      } finally {
        this.#pass = undefined;
      }
      return reports;
    })();
    this.#pass = pass;
    return pass;
  }
}

export interface ScheduledManagerOptions extends ManagerOptions {
  /** Default `asap`. */
  readonly policy?: SchedulePolicy;
  /** Wait before retrying a postponed update (ms). Default 100. */
  readonly retryDelayMs?: number;
  /** How often a closed window is looked at again (ms). Default 100. */
  readonly checkIntervalMs?: number;
  /** Start at once (default true); otherwise call `start()`. */
  readonly autoStart?: boolean;
}

/** Applies queued updates by itself, as soon as its policy and their alterability allow. */
export class ScheduledManager extends UpdateManager {
  protected readonly defaultAlterability = "quiescence" as const;
  readonly policy: SchedulePolicy;
  readonly #retryDelayMs: number;
  readonly #checkIntervalMs: number;
  #started = false;
  #pumping = false;
  #wakeUp: (() => void) | undefined;

  constructor(options: ScheduledManagerOptions = {}) {
    super(options);
    this.policy = options.policy ?? asap;
    this.#retryDelayMs = options.retryDelayMs ?? 100;
    this.#checkIntervalMs = options.checkIntervalMs ?? 100;
    if (options.autoStart ?? true) this.start();
  }

  get started(): boolean {
    return this.#started;
  }

  start(): void {
    if (this.closed) throw new LifecycleError("the manager is closed", {});
    this.#started = true;
    this.wake();
  }

  /** Stops after the running attempt (if any); queued updates stay queued. */
  stop(): void {
    this.#started = false;
    this.wake();
  }

  override close(reason?: string): void {
    this.#started = false;
    super.close(reason);
  }

  protected override wake(): void {
    const wakeUp = this.#wakeUp;
    this.#wakeUp = undefined;
    wakeUp?.();
    if (!this.#pumping && this.#started && this.queue.length > 0) void this.#pump();
  }

  /** Sleeps `ms`, or less if woken (an update queued or cancelled, start, stop). */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeUp = done;
    });
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#started && this.queue.length > 0) {
        const allowed = await this.#policyAllows();
        if (!allowed.ok) continue;
        const { outcome } = await this.attemptHead(
          allowed.deadline === undefined ? {} : { deadline: allowed.deadline },
        );
        if (outcome === "postponed") await this.#pause(this.#retryDelayMs);
        if (outcome === "busy") await this.#pause(this.#checkIntervalMs);
      }
    } finally {
      this.#pumping = false;
    }
    // Something may have arrived while the loop was finishing.
    if (this.#started && this.queue.length > 0) void this.#pump();
  }

  /** Whether the policy lets the head update start now (after waiting a sample or a check interval when it does not). */
  async #policyAllows(): Promise<{ ok: boolean; deadline?: number }> {
    const policy = this.policy;
    const head = this.queue[0];
    switch (policy.kind) {
      case "asap":
        return { ok: true };
      case "idle": {
        const start = performance.eventLoopUtilization();
        await this.#pause(policy.sampleMs);
        const sample = performance.eventLoopUtilization(start);
        if (sample.utilization <= policy.threshold) return { ok: true };
        if (head) {
          this.emit({
            type: "queue",
            ticket: head.ticket.id,
            update: head.ticket.name,
            action: "deferred",
            detail: { utilization: sample.utilization, threshold: policy.threshold },
          });
        }
        return { ok: false };
      }
      case "window": {
        const now = Date.now();
        if (policy.isOpen(now)) {
          const closes = policy.closesAt?.(now);
          return closes === undefined
            ? { ok: true }
            : { ok: true, deadline: performance.now() + (closes - now) };
        }
        if (head) {
          this.emit({
            type: "queue",
            ticket: head.ticket.id,
            update: head.ticket.name,
            action: "deferred",
            detail: { window: policy.description },
          });
        }
        await this.#pause(this.#checkIntervalMs);
        return { ok: false };
      }
    }
  }
}
