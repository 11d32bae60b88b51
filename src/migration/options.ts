/** The update options, checked before anything happens: a wrong one is refused, never guessed at. */
import { InvalidOptionError } from "./errors.js";
import type { UpdateOptions } from "./types.js";

const POLICIES = ["eager", "lazy", "progressive"];
const HOOKS = ["healthCheck", "onEvent", "onCommitStep"] as const;
/** The longest delay a timer takes (2^31 - 1 ms): a longer one fires at once. */
const MAX_TIMER = 2_147_483_647;

export function checkOptions(options: UpdateOptions, patch: string): void {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError(`update ${patch}: options must be an object`, { patch });
  }
  const { policy, sliceSize } = options as Record<string, unknown>;
  if (policy !== undefined && !POLICIES.includes(policy as string)) {
    throw new InvalidOptionError(
      `update ${patch}: policy ${JSON.stringify(policy)} is not one of ${POLICIES.join(", ")}`,
      { patch, option: "policy", value: policy },
    );
  }
  if (
    sliceSize !== undefined &&
    !(typeof sliceSize === "number" && Number.isSafeInteger(sliceSize) && sliceSize >= 1)
  ) {
    throw new InvalidOptionError(
      `update ${patch}: sliceSize must be a whole number of objects ≥ 1, not ${String(sliceSize)}`,
      { patch, option: "sliceSize", value: sliceSize },
    );
  }
  const { healthCheckTimeoutMs: timeout } = options as Record<string, unknown>;
  if (
    timeout !== undefined &&
    !(
      typeof timeout === "number" &&
      Number.isSafeInteger(timeout) &&
      timeout >= 1 &&
      timeout <= MAX_TIMER
    )
  ) {
    throw new InvalidOptionError(
      `update ${patch}: healthCheckTimeoutMs must be a whole number of milliseconds from 1 to ${MAX_TIMER}, not ${String(timeout)}`,
      { patch, option: "healthCheckTimeoutMs", value: timeout },
    );
  }
  for (const hook of HOOKS) {
    const value = (options as Record<string, unknown>)[hook];
    if (value !== undefined && typeof value !== "function") {
      throw new InvalidOptionError(`update ${patch}: ${hook} must be a function`, {
        patch,
        option: hook,
      });
    }
  }
}
