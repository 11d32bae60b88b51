/**
 * Timing and events of an update's phases. Phases follow one another without
 * gaps (a phase's time runs from the end of the previous one), so the
 * timings add up to the pause; a throw inside a phase is reported as that
 * phase's "failed" event and passed on. A listener that throws is recorded,
 * never allowed to change the update.
 */
import type { UpdateEvent, UpdatePhase, UpdateTimings } from "./types.js";

type TimedPhase = Exclude<keyof UpdateTimings, "total" | "rollback" | "find">;

export class PhaseClock {
  readonly timings: UpdateTimings = {
    build: 0,
    shadow: 0,
    migrate: 0,
    validate: 0,
    commit: 0,
    total: 0,
  };
  /** Errors thrown by the event listener, with the event it was given. */
  readonly listenerErrors: { readonly event: UpdateEvent; readonly error: unknown }[] = [];
  private readonly startedAt = performance.now();
  private since = this.startedAt;

  constructor(
    private readonly patch: string,
    private readonly onEvent: ((event: UpdateEvent) => void) | undefined,
  ) {}

  emit(
    phase: UpdatePhase,
    status: UpdateEvent["status"],
    ms?: number,
    detail?: Record<string, unknown>,
  ): void {
    if (!this.onEvent) return;
    const event: UpdateEvent = {
      phase,
      status,
      patch: this.patch,
      ...(ms === undefined ? {} : { ms }),
      ...(detail ? { detail } : {}),
    };
    try {
      this.onEvent(event);
    } catch (error) {
      // A listener observes the update; its failure never changes the outcome.
      this.listenerErrors.push({ event, error });
    }
  }

  /** Runs `body` as phase `phase`; `detail` describes its output in the "end" event. */
  run<T>(phase: TimedPhase, body: () => T, detail?: (output: T) => Record<string, unknown>): T {
    this.emit(phase, "start");
    let output: T;
    try {
      output = body();
    } catch (error) {
      // A refusal blocks the program too: its pause is reported with it.
      const now = performance.now();
      this.emit(phase, "failed", now - this.since, {
        error: (error as Error)?.message,
        pauseMs: now - this.startedAt,
      });
      throw error;
    }
    const now = performance.now();
    this.timings[phase] = now - this.since;
    this.since = now;
    this.emit(phase, "end", this.timings[phase], detail?.(output));
    return output;
  }

  /** Closes the synchronous block: its total is the update's pause. */
  finish(): UpdateTimings {
    this.timings.total = this.since - this.startedAt;
    return this.timings;
  }
}
