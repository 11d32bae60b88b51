/**
 * Forced quiescence for the HTTP layer: a gate in front of the handlers.
 *
 * While the gate is open, every request enters at once and is counted as in
 * flight until its handler (which may await) has finished. `quiesce(apply)`
 * closes the gate — new requests wait in a queue, none is refused — waits
 * until every in-flight handler has finished, runs `apply` with nothing of
 * the application running, and reopens the gate, releasing the queue in
 * arrival order. If the handlers do not drain within the time-out the gate
 * reopens, nothing is applied, and the caller gets a `QuiescenceTimeoutError`
 * (the update is postponed, not half-done).
 */
import { performance } from "node:perf_hooks";

export class QuiescenceTimeoutError extends Error {
  constructor(
    readonly inFlight: number,
    readonly timeoutMs: number,
  ) {
    super(`${inFlight} handler(s) still in flight after ${timeoutMs} ms; update postponed`);
    this.name = "QuiescenceTimeoutError";
  }
}

export interface QuiescenceReport<T> {
  readonly value: T;
  /** Time from closing the gate to the last in-flight handler finishing (ms). */
  readonly drainMs: number;
  /** How long the gate stayed closed: drain + apply (ms). */
  readonly closedMs: number;
  /** Handlers that were in flight when the gate closed. */
  readonly drained: number;
  /** Requests that arrived while the gate was closed and waited. */
  readonly held: number;
}

export class RequestGate {
  #open = true;
  #inFlight = 0;
  #queue: (() => void)[] = [];
  #idle: (() => void)[] = [];
  #busy = false;

  get inFlight(): number {
    return this.#inFlight;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /**
   * Enters the gate. Returns null when the request may run now (the common
   * case: no promise, no extra tick), or a promise that resolves when it may.
   * Every successful enter must be followed by exactly one `leave()`.
   */
  enter(): Promise<void> | null {
    if (this.#open) {
      this.#inFlight++;
      return null;
    }
    return new Promise((resolve) => {
      this.#queue.push(() => {
        this.#inFlight++;
        resolve();
      });
    });
  }

  leave(): void {
    this.#inFlight--;
    if (this.#inFlight === 0 && this.#idle.length > 0) {
      const waiting = this.#idle;
      this.#idle = [];
      for (const wake of waiting) wake();
    }
  }

  #drained(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idle = this.#idle.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#idle.push(wake);
    });
  }

  #reopen(): number {
    this.#open = true;
    const queued = this.#queue;
    this.#queue = [];
    for (const release of queued) release();
    return queued.length;
  }

  /** Closes the gate, drains in-flight handlers, runs `apply`, reopens. One at a time. */
  async quiesce<T>(
    apply: () => T | Promise<T>,
    options: { timeoutMs?: number } = {},
  ): Promise<QuiescenceReport<T>> {
    if (this.#busy) throw new Error("another update is already waiting for quiescence");
    this.#busy = true;
    const timeoutMs = options.timeoutMs ?? 5_000;
    const t0 = performance.now();
    this.#open = false;
    const drained = this.#inFlight;
    try {
      const ok = await this.#drained(timeoutMs);
      const t1 = performance.now();
      if (!ok) throw new QuiescenceTimeoutError(this.#inFlight, timeoutMs);
      const value = await apply();
      const closedMs = performance.now() - t0;
      const held = this.#reopen();
      return { value, drainMs: t1 - t0, closedMs, drained, held };
    } finally {
      if (!this.#open) this.#reopen();
      this.#busy = false;
    }
  }
}
