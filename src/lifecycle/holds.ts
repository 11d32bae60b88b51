/** Forced quiescence: the state of one hold, and the calls queued at entry while it lasts. */
import { performance } from "node:perf_hooks";
import type { MethodSlot } from "./inFlightCalls.js";
import type { QuiescenceTarget } from "./quiescenceTargets.js";
import { targetCovers } from "./quiescenceTargets.js";

export interface Hold {
  /** `performance.now()` when the hold began. */
  readonly startedAt: number;
  /** Calls waiting at entry. */
  queued(): number;
  /** Calls queued since the hold began (released or not). */
  heldSoFar(): number;
  readonly released: boolean;
  /**
   * Runs `fn` so that the calls it makes, and those of the asynchronous work
   * it starts, pass this hold: they run at once (counted in flight like any
   * call) instead of waiting for a release that may wait for them — the
   * update's own health check, run while the hold still stands.
   */
  pass<T>(fn: () => T): T;
  /**
   * Ends the hold and runs every queued call, in arrival order, on the
   * method that is current now (the new version after a commit, the old one
   * after a postponement). Returns how many calls it released.
   */
  release(): number;
}

export interface Queued {
  readonly slot: MethodSlot;
  readonly self: unknown;
  readonly args: unknown[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class HoldState {
  readonly startedAt = performance.now();
  readonly queue: Queued[] = [];
  released = false;
  total = 0;

  constructor(
    readonly targets: readonly QuiescenceTarget[],
    private readonly changed: () => void,
  ) {}

  covers(slot: MethodSlot): boolean {
    return this.targets.some((t) => targetCovers(t, slot.handle, slot.key));
  }

  enqueue(slot: MethodSlot, self: unknown, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ slot, self, args, resolve, reject });
      this.total++;
      this.changed();
    });
  }
}
