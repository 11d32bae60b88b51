/**
 * What a call tracker and its `track` are told, checked before anything is
 * wrapped: `{ followAsync: true }` made a tracker that let no awaited call
 * through a hold, `track(C, { method: ["run"] })` wrapped every method of C,
 * without a word (optionKeys.ts).
 */
import type { TrackOptions } from "./methodWrapping.js";
import { keys, requireKnownKeys } from "./optionKeys.js";

export interface CallTrackerOptions {
  /**
   * Let a call through a hold when it is made from inside a tracked call that
   * is still in flight (found with `AsyncLocalStorage`), so that an in-flight
   * call which awaits another held method can still drain instead of waiting
   * for the time-out. Costs an AsyncLocalStorage context per tracked call.
   * Default false.
   */
  readonly followAsyncContext?: boolean;
  /**
   * Where there is no AsyncLocalStorage (a browser page): let a call through
   * a hold when its receiver has a tracked call in flight, so that a call
   * awaiting another method of its own object drains. Coarser: any call on
   * that object passes (and is waited for like any call in flight).
   */
  readonly followReceiver?: boolean;
}

const TRACKER_KEYS = keys<CallTrackerOptions>({ followAsyncContext: true, followReceiver: true });
const TRACK_KEYS = keys<TrackOptions>({ methods: true, holdable: true });

export function requireTrackerOptions(options: unknown): void {
  requireKnownKeys(options, TRACKER_KEYS, "new CallTracker");
}

export function requireTrackOptions(options: unknown): void {
  requireKnownKeys(options, TRACK_KEYS, "track");
}
