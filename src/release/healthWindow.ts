/**
 * The health-check window a bundle declares: for `windowMs` after the
 * commit the service's health check runs every `intervalMs`; a failure (false
 * or a throw) while the release is still current rolls it back by itself.
 */
import type { ReleaseHistory } from "./history.js";
import { keys, requireReleaseOptions } from "./optionKeys.js";

export interface HealthWindowOptions {
  readonly history: ReleaseHistory;
  /** The release to watch (its record's id). */
  readonly releaseId: number;
  readonly check: () => boolean | Promise<boolean>;
  readonly windowMs: number;
  /** Default: a tenth of the window, between 50 ms and 5 s. */
  readonly intervalMs?: number;
  /** Stops the watch (a server closing). */
  readonly signal?: AbortSignal;
  /** Told when the window ends: rolled back (with why) or passed. */
  readonly onEnd?: (outcome: { readonly rolledBack: boolean; readonly reason?: string }) => void;
}

/** Starts watching; returns a function that stops the watch early. */
const WATCH_KEYS = keys<HealthWindowOptions>({
  history: true,
  releaseId: true,
  check: true,
  windowMs: true,
  intervalMs: true,
  signal: true,
  onEnd: true,
});

export function watchHealth(options: HealthWindowOptions): () => void {
  requireReleaseOptions(options, WATCH_KEYS, "watchHealth");
  const { history, releaseId, check, windowMs } = options;
  const intervalMs = options.intervalMs ?? Math.min(5000, Math.max(50, Math.floor(windowMs / 10)));
  const end = Date.now() + windowMs;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finish = (rolledBack: boolean, reason?: string) => {
    stopped = true;
    options.onEnd?.({ rolledBack, ...(reason !== undefined ? { reason } : {}) });
  };
  const tick = async () => {
    if (stopped) return;
    let healthy: boolean;
    let why = "the health check answered false";
    try {
      healthy = (await check()) === true;
    } catch (error) {
      healthy = false;
      why = `the health check threw: ${(error as Error)?.message ?? String(error)}`;
    }
    if (stopped) return;
    if (!healthy) {
      let rolledBack = false;
      try {
        rolledBack = await history.rollbackIfCurrentWhenQuiescent(
          releaseId,
          `health-check window: ${why}`,
        );
      } catch (error) {
        why = `${why}; the rollback was refused: ${(error as Error)?.message ?? String(error)}`;
      }
      finish(rolledBack, why);
      return;
    }
    if (Date.now() >= end) {
      finish(false);
      return;
    }
    timer = setTimeout(tick, Math.min(intervalMs, Math.max(0, end - Date.now())));
    // The window must not keep a process alive that is otherwise done.
    timer.unref?.();
  };
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };
  if (options.signal?.aborted) return stop;
  options.signal?.addEventListener("abort", stop, { once: true });
  timer = setTimeout(tick, Math.min(intervalMs, windowMs));
  timer.unref?.();
  return stop;
}
