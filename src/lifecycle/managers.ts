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
import type {
  FinalStatus,
  LifecycleEvent,
  LifecycleReport,
  LifecycleStatus,
  LifecycleUpdate,
  RunOptions,
} from "./lifecycle.js";
import { runUpdate } from "./lifecycle.js";

export type TicketState = "queued" | "running" | FinalStatus;

export interface Ticket {
  readonly id: number;
  readonly name: string;
  /** The final report (committed, rolled back, failed or cancelled). Never rejects. */
  readonly done: Promise<LifecycleReport>;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly state: TicketState;
  /** The attempts' reports, oldest first (the last 20). */
  readonly reports: readonly LifecycleReport[];
  /**
   * Cancels the update: at once if it is queued or postponed, by aborting
   * its attempt if it is still before the apply step. False when it is too
   * late (applying or finished).
   */
  cancel(reason?: string): boolean;
}

export type ManagerEvent =
  | (LifecycleEvent & { readonly ticket: number })
  | {
      readonly type: "queue";
      readonly ticket: number;
      readonly update: string;
      /** enqueued; started / attempted: one attempt begins / ends; deferred: the policy held it back; finished: final. */
      readonly action: "enqueued" | "started" | "attempted" | "deferred" | "finished";
      readonly status?: FinalStatus;
      readonly detail?: Readonly<Record<string, unknown>>;
    };

export interface ManagerOptions {
  /** Tracks calls of managed classes; one is made if not given. */
  readonly tracker?: CallTracker;
  readonly onEvent?: (event: ManagerEvent) => void;
  /** Attempts after which a postponed update is given up (reported as cancelled). Default: unlimited. */
  readonly maxAttempts?: number;
  /**
   * Reports kept in `history` (default 100): a report holds its update's
   * result, and with it what rollback needs, until it is dropped.
   */
  readonly historyLimit?: number;
  /** Applied to every update that does not set them. */
  readonly defaults?: Pick<
    LifecycleUpdate,
    "timeoutMs" | "forceQuiescence" | "prepareTimeoutMs" | "overTimeoutMs"
  >;
}

interface Entry {
  readonly ticket: TicketImpl;
  readonly update: LifecycleUpdate;
}

/** The report of an update the manager settled without running the lifecycle (cancelled, or a guard tripped). */
function reportWithoutRun(
  ticket: TicketImpl,
  status: "cancelled" | "failed",
  reason: string,
): LifecycleReport {
  return {
    update: ticket.name,
    attempt: ticket.attempts,
    status,
    reason,
    pauseMs: 0,
    holdMs: 0,
    heldCalls: 0,
    straddled: [],
    components: [],
    resumeFailures: [],
    hookErrors: [],
    timings: { total: 0 },
    events: [],
  };
}

class TicketImpl implements Ticket {
  readonly done: Promise<LifecycleReport>;
  state: TicketState = "queued";
  attempts = 0;
  readonly reports: LifecycleReport[] = [];
  /** The status of the running attempt. */
  status: LifecycleStatus = "idle";
  controller: AbortController | undefined;
  #resolve!: (report: LifecycleReport) => void;

  constructor(
    readonly id: number,
    readonly name: string,
    private readonly cancelHook: (ticket: TicketImpl, reason: string) => boolean,
  ) {
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  cancel(reason = "cancelled"): boolean {
    return this.cancelHook(this, reason);
  }

  settle(report: LifecycleReport): void {
    this.state = report.status;
    this.#resolve(report);
  }
}

let nextTicket = 1;
/** Attempts' reports a ticket keeps (a postponed update retried for hours must not grow without bound). */
const REPORTS_KEPT = 20;

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
    if (this.#closed) {
      throw new LifecycleError(
        `the manager is closed; update ${update.name ?? update.patch.name} was not queued`,
        {
          update: update.name ?? update.patch.name,
        },
      );
    }
    const defaults = this.#options.defaults ?? {};
    const withDefaults: LifecycleUpdate = {
      ...update,
      ...(update.timeoutMs === undefined && defaults.timeoutMs !== undefined
        ? { timeoutMs: defaults.timeoutMs }
        : {}),
      ...(update.forceQuiescence === undefined && defaults.forceQuiescence !== undefined
        ? { forceQuiescence: defaults.forceQuiescence }
        : {}),
      ...(update.prepareTimeoutMs === undefined && defaults.prepareTimeoutMs !== undefined
        ? { prepareTimeoutMs: defaults.prepareTimeoutMs }
        : {}),
      ...(update.overTimeoutMs === undefined && defaults.overTimeoutMs !== undefined
        ? { overTimeoutMs: defaults.overTimeoutMs }
        : {}),
    };
    const ticket = new TicketImpl(nextTicket++, update.name ?? update.patch.name, (t, reason) =>
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
    ticket.reports.push(report);
    if (ticket.reports.length > REPORTS_KEPT)
      ticket.reports.splice(0, ticket.reports.length - REPORTS_KEPT);
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

export type SchedulePolicy =
  | { readonly kind: "asap" }
  | {
      readonly kind: "idle";
      /** Highest event-loop utilisation (0…1) over a sample that counts as idle. */
      readonly threshold: number;
      /** Length of a sample (ms). */
      readonly sampleMs: number;
    }
  | {
      readonly kind: "window";
      readonly description: string;
      /** Whether updates may start at `now` (epoch ms). */
      readonly isOpen: (now: number) => boolean;
      /** When the window that is open at `now` closes (epoch ms); the update must commit before. */
      readonly closesAt?: (now: number) => number | undefined;
    };

/** As soon as possible. */
export const asap: SchedulePolicy = Object.freeze({ kind: "asap" });

/** When `performance.eventLoopUtilization()` over a sample is at most `threshold` (default 0.5 over 100 ms). */
export function whenIdle(
  options: { readonly threshold?: number; readonly sampleMs?: number } = {},
): SchedulePolicy {
  return { kind: "idle", threshold: options.threshold ?? 0.5, sampleMs: options.sampleMs ?? 100 };
}

/** Between two instants (epoch ms or Dates); the update must commit before `end`. */
export function within(start: number | Date, end: number | Date): SchedulePolicy {
  const from = +start;
  const to = +end;
  return {
    kind: "window",
    description: `between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`,
    isOpen: (now) => now >= from && now < to,
    closesAt: () => to,
  };
}

/** Whenever `isOpen(now)` says so. */
export function inWindow(description: string, isOpen: (now: number) => boolean): SchedulePolicy {
  return { kind: "window", description, isOpen };
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
