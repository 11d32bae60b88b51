/**
 * An update's health check, bounded in time: one that has not answered
 * within its time-out counts as failed, and the update is rolled back.
 * Unbounded, a check that never settled left the update committed and
 * every later update of the namespace refused (MM_NESTED_UPDATE), for good
 * (review advY2).
 */

/** How long a health check may take by default (UpdateOptions.healthCheckTimeoutMs). */
export const HEALTH_CHECK_TIMEOUT_MS = 60_000;

/** `check()`'s answer, or false once `ms` have passed without one (the check is left to run on). */
export function checkHealth(
  check: () => boolean | Promise<boolean>,
  ms: number = HEALTH_CHECK_TIMEOUT_MS,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([Promise.resolve().then(check), late]).finally(() => clearTimeout(timer));
}
