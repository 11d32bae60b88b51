/**
 * Tickets: a queued update's handle for the program (its state, attempts,
 * final report, cancellation), as the managers hand them out.
 */
import type { FinalStatus, LifecycleReport, LifecycleStatus } from "./lifecycle.js";

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

/** The report of an update the manager settled without running the lifecycle (cancelled, or a guard tripped). */
export function reportWithoutRun(
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

export class TicketImpl implements Ticket {
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

  /** Keeps an attempt's report (the last few). */
  record(report: LifecycleReport): void {
    this.reports.push(report);
    if (this.reports.length > REPORTS_KEPT)
      this.reports.splice(0, this.reports.length - REPORTS_KEPT);
  }

  settle(report: LifecycleReport): void {
    this.state = report.status;
    this.#resolve(report);
  }
}

let nextTicket = 1;

/** Ticket ids are unique across managers, so events from several managers can be told apart. */
export function nextTicketId(): number {
  return nextTicket++;
}

/** Attempts' reports a ticket keeps (a postponed update retried for hours must not grow without bound). */
const REPORTS_KEPT = 20;
