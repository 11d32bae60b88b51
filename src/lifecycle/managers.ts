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
import type { Constructor } from "../mop/createClass.js";
import type { TrackOptions } from "./callTracking.js";
import { CallTracker } from "./callTracking.js";
import type { LifecycleReport, LifecycleStatus, LifecycleUpdate, RunOptions } from "./lifecycle.js";
import { runUpdate } from "./lifecycle.js";
import type { ManagerEvent, ManagerOptions, ScheduledManagerOptions } from "./managerOptions.js";
import { applyDefaults, MANAGER_KEYS, requireManagerOptions } from "./managerOptions.js";
import { SCHEDULED_KEYS } from "./managerOptions.js";
import type { SchedulePolicy } from "./schedulePolicies.js";
import { asap, requirePolicy } from "./schedulePolicies.js";
import { requireUpdate } from "./hooks.js";

export type { ScheduledManagerOptions } from "./managerOptions.js";
import type { Ticket } from "./tickets.js";
import { nextTicketId, reportWithoutRun, TicketImpl } from "./tickets.js";

interface Entry {
  readonly ticket: TicketImpl;
  readonly update: LifecycleUpdate;
}

/** What both managers share: the queue, tickets, cancellation, one attempt at a time. */
export abstract class UpdateManager {
  readonly tracker: CallTracker;
  protected readonly queue: Entry[] = [];
  readonly #options: ManagerOptions;
  #running: Entry | undefined;
  #closed = false;
  readonly #idleWaiters: (() => void)[] = [];
  /** Attempts' reports, oldest first (the last `historyLimit`). */
  readonly history: LifecycleReport[] = [];
  readonly #historyLimit: number;

  constructor(options: ManagerOptions = {}) {
    // A scheduled manager's own options are read by its constructor, after this one.
    const known = this instanceof ScheduledManager ? SCHEDULED_KEYS : MANAGER_KEYS;
    requireManagerOptions(options, known, `new ${new.target.name}`);
    this.#options = options;
    this.#historyLimit = options.historyLimit ?? 100;
    this.tracker = options.tracker ?? new CallTracker();
  }

  /** Tracks a class's calls from now on (do it at start-up: calls already running are not seen). */
  track(handle: Constructor, options?: TrackOptions): this {
    this.tracker.track(handle, options);
    return this;
  }

  /** The status of the attempt running now, or "idle". */
  get status(): LifecycleStatus {
    return this.#running?.ticket.status ?? "idle";
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Updates waiting, the head first (the running one included). */
  pending(): Ticket[] {
    return this.queue.map((e) => e.ticket);
  }

  enqueue(update: LifecycleUpdate): Ticket {
    requireUpdate(update, "enqueue");
    if (this.#closed) {
      const name = update.name ?? update.patch.name;
      throw new LifecycleError(`the manager is closed; update ${name} was not queued`, {
        update: name,
      });
    }
    const withDefaults = applyDefaults(update, this.#options.defaults ?? {});
    const ticket = new TicketImpl(nextTicketId(), update.name ?? update.patch.name, (t, reason) =>
      this.#cancel(t, reason),
    );
    this.queue.push({ ticket, update: withDefaults });
    this.emit({ type: "queue", ticket: ticket.id, update: ticket.name, action: "enqueued" });
    this.wake();
    return ticket;
  }

  /** Cancels every queued update and refuses new ones. The running attempt is cancelled if not yet applying. */
  close(reason = "the manager was closed"): void {
    this.#closed = true;
    for (const entry of [...this.queue]) entry.ticket.cancel(reason);
    this.wake();
  }

  /** Resolves when the queue is empty and nothing runs. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && !this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  protected emit(event: ManagerEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // Observers cannot break the manager.
    }
  }

  /** Called when something may let the manager proceed (subclasses that run by themselves react). */
  protected wake(): void {}

  protected get busy(): boolean {
    return this.#running !== undefined;
  }

  #cancel(ticket: TicketImpl, reason: string): boolean {
    if (ticket.state !== "queued" && ticket.state !== "running") return false;
    const index = this.queue.findIndex((e) => e.ticket === ticket);
    if (index < 0) return false;
    if (this.#running?.ticket === ticket) {
      // Only before the apply step: after it the update stands or fails by itself.
      if (!["checking", "preparing", "waiting", "idle"].includes(ticket.status)) return false;
      ticket.controller?.abort(reason);
      return true;
    }
    this.queue.splice(index, 1);
    this.#finish(ticket, reportWithoutRun(ticket, "cancelled", reason));
    this.wake();
    return true;
  }

  #finish(ticket: TicketImpl, report: LifecycleReport): void {
    ticket.settle(report);
    this.emit({
      type: "queue",
      ticket: ticket.id,
      update: ticket.name,
      action: "finished",
      status: report.status,
    });
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (this.queue.length === 0 && !this.#running) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  /**
   * One attempt of the head update. "finished": it reached a final status
   * and left the queue; "postponed": it stays at the head; "empty": nothing
   * to do; "busy": an attempt is already running.
   */
  protected async attemptHead(
    extra: Pick<RunOptions, "deadline"> = {},
  ): Promise<{ outcome: "finished" | "postponed" | "empty" | "busy"; report?: LifecycleReport }> {
    if (this.#running) return { outcome: "busy" };
    const entry = this.queue[0];
    if (!entry) return { outcome: "empty" };
    const { ticket, update } = entry;
    this.#running = entry;
    ticket.state = "running";
    ticket.attempts++;
    ticket.controller = new AbortController();
    let report: LifecycleReport;
    this.emit({ type: "queue", ticket: ticket.id, update: ticket.name, action: "started" });
    try {
      report = await runUpdate(update, {
        tracker: this.tracker,
        attempt: ticket.attempts,
        signal: ticket.controller.signal,
        autoTrack: "keep",
        defaultAlterability: this.defaultAlterability,
        ...extra,
        onEvent: (event) => {
          if (event.type === "transition") ticket.status = event.to;
          this.emit({ ...event, ticket: ticket.id });
        },
      });
    } catch (error) {
      // runUpdate never rejects; this is a bug guard so the manager cannot get stuck.
      report = {
        ...reportWithoutRun(
          ticket,
          "failed",
          `the lifecycle threw: ${(error as Error)?.message ?? String(error)}`,
        ),
        error,
      };
    }
    this.#running = undefined;
    ticket.controller = undefined;
    ticket.status = "idle";
    ticket.record(report);
    this.history.push(report);
    if (this.history.length > this.#historyLimit)
      this.history.splice(0, this.history.length - this.#historyLimit);
    this.emit({
      type: "queue",
      ticket: ticket.id,
      update: ticket.name,
      action: "attempted",
      status: report.status,
    });
    const maxAttempts = this.#options.maxAttempts ?? Number.POSITIVE_INFINITY;
    if (report.status === "postponed" && !this.#closed && ticket.attempts < maxAttempts) {
      ticket.state = "queued";
      this.#checkIdle();
      return { outcome: "postponed", report };
    }
    const index = this.queue.indexOf(entry);
    if (index >= 0) this.queue.splice(index, 1);
    const final =
      report.status === "postponed"
        ? {
            ...report,
            status: "cancelled" as const,
            reason: this.#closed
              ? "the manager was closed"
              : `given up after ${ticket.attempts} attempts; the last was postponed: ${report.reason ?? ""}`,
          }
        : report;
    this.#finish(ticket, final);
    return { outcome: "finished", report };
  }

  /** What an update without its own criterion waits for under this manager. */
  protected abstract readonly defaultAlterability: "quiescence" | "update-point";
}

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
    // Only a missing policy means asap (null was taken for it).
    this.policy = requirePolicy(
      options.policy === undefined ? asap : options.policy,
      "new ScheduledManager",
    );
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

  /** Tells observers that the policy held the head update back, and why. */
  #deferred(detail: Readonly<Record<string, unknown>>): void {
    const head = this.queue[0];
    if (!head) return;
    this.emit({
      type: "queue",
      ticket: head.ticket.id,
      update: head.ticket.name,
      action: "deferred",
      detail,
    });
  }

  /** Whether the policy lets the head update start now (after waiting a sample or a check interval when it does not). */
  async #policyAllows(): Promise<{ ok: boolean; deadline?: number }> {
    const policy = this.policy;
    switch (policy.kind) {
      case "asap":
        return { ok: true };
      case "idle": {
        const start = performance.eventLoopUtilization();
        await this.#pause(policy.sampleMs);
        const sample = performance.eventLoopUtilization(start);
        if (sample.utilization <= policy.threshold) return { ok: true };
        this.#deferred({ utilization: sample.utilization, threshold: policy.threshold });
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
        this.#deferred({ window: policy.description });
        await this.#pause(this.#checkIntervalMs);
        return { ok: false };
      }
    }
  }
}
