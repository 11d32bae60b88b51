/**
 * What both update managers share (see managers.ts): the strictly ordered
 * queue, tickets, cancellation, history, and one attempt at a time through
 * the lifecycle.
 */
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
import type { Ticket } from "./tickets.js";
import { nextTicketId, reportWithoutRun, TicketImpl } from "./tickets.js";

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

type UpdateDefaults = NonNullable<ManagerOptions["defaults"]>;

/** The update with the manager's defaults for the settings it leaves unset. */
function applyDefaults(update: LifecycleUpdate, defaults: UpdateDefaults): LifecycleUpdate {
  return {
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
