/**
 * The lifecycle's options objects, checked before anything runs: a key a
 * call does not know was ignored without a word — `runUpdate({ …,
 * timeoutMS: 5 })` waited the default 5 s, `hooks: { setup }` never set
 * anything up, `new ScheduledManager({ polcy })` applied updates at once.
 * Refused as update()'s options are (MM_INVALID_OPTION), naming the keys the
 * call takes and the one likely meant (src/unknownKeys.ts). Each list is a
 * Record of the type's keys, so that a key added there must be added here.
 */
import { InvalidOptionError } from "../errors.js";
import { kindOf } from "../valueKinds.js";
import { type KeyGuesses, unknownKey } from "../unknownKeys.js";

/** The keys of a Record of every key of `T`. */
export const keys = <T>(record: Readonly<Record<keyof T, true>>): readonly string[] =>
  Object.keys(record);

/** Names callers reach for, and the key each means (offered only where the call has it). */
const GUESSES: KeyGuesses = new Map([
  ["timeout", "timeoutMs"],
  ["prepareTimeout", "prepareTimeoutMs"],
  ["overTimeout", "overTimeoutMs"],
  ["criterion", "alterability"],
  ["when", "alterability"],
  ["quiescence", "forceQuiescence"],
  ["cooperative", "components"],
  ["classes", "affects"],
  ["affected", "affects"],
  ["updateOptions", "options"],
  ["listener", "onEvent"],
  ["onProgress", "onEvent"],
  ["retries", "maxAttempts"],
  ["attempts", "maxAttempts"],
  ["history", "historyLimit"],
  ["schedule", "policy"],
  ["retryDelay", "retryDelayMs"],
  ["checkInterval", "checkIntervalMs"],
  ["start", "autoStart"],
  ["interval", "pollMs"],
  ["poll", "pollMs"],
  ["sample", "sampleMs"],
  ["utilization", "threshold"],
  ["prepare", "setUp"],
  ["setup", "setUp"],
  ["teardown", "cleanUp"],
  ["check", "checkRequirements"],
  ["followAsync", "followAsyncContext"],
  ["only", "methods"],
]);

/**
 * Refuses `value` when it is not an object, cannot be read, or has a key
 * `known` lacks; `call` begins the message, `where` says whose keys they are
 * ("an update", "update.hooks"; default: the call's own options); `guesses`
 * are the names callers reach for (the release API has its own).
 */
export function requireKnownKeys(
  value: unknown,
  known: readonly string[],
  call: string,
  where = call,
  what = "option",
  guesses: KeyGuesses = GUESSES,
): void {
  const refuse = (message: string, details: Record<string, unknown>): never => {
    throw new InvalidOptionError(`${call}: ${message}`, { call, ...details });
  };
  if (kindOf(value) !== "object")
    refuse(`expected an object { ${known.join(", ")} }, not ${kindOf(value)}`, {
      type: kindOf(value),
    });
  let unknown: ReturnType<typeof unknownKey>;
  try {
    unknown = unknownKey(value as object, known, where, guesses, what);
  } catch (error) {
    unknown = refuse(`${where} cannot be read (${(error as Error)?.message ?? String(error)})`, {});
  }
  if (unknown !== undefined)
    refuse(unknown.message, {
      option: unknown.key,
      known: [...known],
      ...(unknown.meant === undefined ? {} : { meant: unknown.meant }),
    });
}
