/**
 * The health check run right after a commit (bounded in time by
 * migration/healthCheck.ts), with why it did not pass — it said no, it
 * threw, or it gave no answer within its time-out — for the reason the
 * update's rollback gives: a check that hangs must not read as one that
 * answered false.
 */
import { checkHealth, HEALTH_CHECK_TIMEOUT_MS } from "../migration/healthCheck.js";

const message = (error: unknown) => (error as Error)?.message ?? String(error);

/** Undefined when the service is healthy; otherwise why the update is rolled back. */
export async function healthVerdict(
  healthCheck: () => boolean | Promise<boolean>,
  timeoutMs: number = HEALTH_CHECK_TIMEOUT_MS,
): Promise<string | undefined> {
  let answer: { readonly threw?: unknown } | undefined;
  const check = async () => {
    try {
      const healthy = await healthCheck();
      answer = {};
      return healthy;
    } catch (error) {
      answer = { threw: error };
      return false;
    }
  };
  if (await checkHealth(check, timeoutMs)) return undefined;
  if (answer === undefined)
    return `the health check did not answer within ${timeoutMs} ms after the commit (timed out)`;
  if ("threw" in answer) return `the health check threw after the commit: ${message(answer.threw)}`;
  return "the health check failed after the commit";
}
