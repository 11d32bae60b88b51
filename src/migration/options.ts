/** The update options, checked before anything happens: a wrong one is refused, never guessed at. */
import { unknownOption } from "../patch/optionKeys.js";
import { errorMessage } from "../validation/describe.js";
import { InvalidOptionError } from "./errors.js";
import type { UpdateOptions } from "./types.js";

const POLICIES = ["eager", "lazy", "progressive"];
const HOOKS = ["healthCheck", "onEvent", "onCommitStep"] as const;
/**
 * Every key of UpdateOptions, as a record so that an option added there must
 * be added here: a key missing from this list would be refused.
 */
const KNOWN_RECORD: Readonly<Record<keyof UpdateOptions, true>> = {
  policy: true,
  sliceSize: true,
  healthCheck: true,
  healthCheckTimeoutMs: true,
  onEvent: true,
  onCommitStep: true,
};
const KNOWN = Object.keys(KNOWN_RECORD);
/** The longest delay a timer takes (2^31 - 1 ms): a longer one fires at once. */
const MAX_TIMER = 2_147_483_647;

/**
 * Checks `options` and returns what they hold, read once: the update reads
 * the copy, so a getter or a Proxy trap runs here only, where its throw is
 * refused with nothing changed.
 */
export function checkOptions(options: UpdateOptions, patch: string): UpdateOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError(`update ${patch}: options must be an object`, { patch });
  }
  const { unknown, read } = readOptions(options, patch);
  // A misspelt key was ignored: `{ polcy: "lazy" }` committed eagerly without a word.
  if (unknown !== undefined) {
    throw new InvalidOptionError(`update ${patch}: ${unknown.message}`, {
      patch,
      option: unknown.key,
      known: [...KNOWN],
      ...(unknown.meant === undefined ? {} : { meant: unknown.meant }),
    });
  }
  checkValues(read, patch);
  return read;
}

/** Its first unknown key and its known keys' values; a read that throws is refused, naming what it read. */
function readOptions(options: object, patch: string) {
  let option = "its keys";
  try {
    const unknown = unknownOption(options, KNOWN, "update");
    const read: Record<string, unknown> = {};
    for (const key of KNOWN) {
      option = key;
      const value = (options as Record<string, unknown>)[key];
      if (value !== undefined) read[key] = value;
    }
    return { unknown, read: read as UpdateOptions };
  } catch (error) {
    throw new InvalidOptionError(
      `update ${patch}: reading ${option === "its keys" ? option : `option ${option}`} threw: ${errorMessage(error)}`,
      { patch, option, cause: error },
    );
  }
}

function checkValues(read: UpdateOptions, patch: string): void {
  const { policy, sliceSize } = read as Record<string, unknown>;
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
  const { healthCheckTimeoutMs: timeout } = read as Record<string, unknown>;
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
    const value = (read as Record<string, unknown>)[hook];
    if (value !== undefined && typeof value !== "function") {
      throw new InvalidOptionError(`update ${patch}: ${hook} must be a function`, {
        patch,
        option: hook,
      });
    }
  }
}
