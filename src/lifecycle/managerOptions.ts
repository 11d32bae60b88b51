/** The options of an update manager, its events, and the defaults it gives the updates it queues. */
import type { CallTracker } from "./callTracking.js";
import type { FinalStatus, LifecycleEvent, LifecycleUpdate } from "./lifecycle.js";
import { keys, requireKnownKeys } from "./optionKeys.js";
import type { SchedulePolicy } from "./schedulePolicies.js";

export type ManagerEvent =
  | (LifecycleEvent & { readonly ticket: number })
  | {
      readonly type: "queue";
      readonly ticket: number;
      readonly update: string;
      /** enqueued; started / attempted: one attempt begins / ends; deferred: the policy held it back; finished: final. */
      readonly action: "enqueued" | "started" | "attempted" | "deferred" | "finished";
      readonly status?: FinalStatus;
      readonly detail?: Readonly<Record<string, unknown>>;
    };

export interface ManagerOptions {
  /** Tracks calls of managed classes; one is made if not given. */
  readonly tracker?: CallTracker;
  readonly onEvent?: (event: ManagerEvent) => void;
  /** Attempts after which a postponed update is given up (reported as cancelled). Default: unlimited. */
  readonly maxAttempts?: number;
  /**
   * Reports kept in `history` (default 100): a report holds its update's
   * result, and with it what rollback needs, until it is dropped.
   */
  readonly historyLimit?: number;
  /** Applied to every update that does not set them. */
  readonly defaults?: Pick<
    LifecycleUpdate,
    "timeoutMs" | "forceQuiescence" | "prepareTimeoutMs" | "overTimeoutMs"
  >;
}

type UpdateDefaults = NonNullable<ManagerOptions["defaults"]>;

export interface ScheduledManagerOptions extends ManagerOptions {
  /** Default `asap`. */
  readonly policy?: SchedulePolicy;
  /** Wait before retrying a postponed update (ms). Default 100. */
  readonly retryDelayMs?: number;
  /** How often a closed window is looked at again (ms). Default 100. */
  readonly checkIntervalMs?: number;
  /** Start at once (default true); otherwise call `start()`. */
  readonly autoStart?: boolean;
}

/** Every key a manager's options have: Records, so that a key added to a type must be added here. */
export const MANAGER_KEYS = keys<ManagerOptions>({
  tracker: true,
  onEvent: true,
  maxAttempts: true,
  historyLimit: true,
  defaults: true,
});
export const SCHEDULED_KEYS = [
  ...MANAGER_KEYS,
  ...keys<Omit<ScheduledManagerOptions, keyof ManagerOptions>>({
    policy: true,
    retryDelayMs: true,
    checkIntervalMs: true,
    autoStart: true,
  }),
];
const DEFAULTS_KEYS = keys<UpdateDefaults>({
  timeoutMs: true,
  forceQuiescence: true,
  prepareTimeoutMs: true,
  overTimeoutMs: true,
});

/**
 * A manager's options (and their `defaults`), checked before it exists:
 * `{ polcy: whenIdle() }` applied updates at once, `defaults: { timeout }`
 * left every update the default 5 s, without a word.
 */
export function requireManagerOptions(options: unknown, known: readonly string[], call: string) {
  requireKnownKeys(options, known, call);
  const { defaults } = options as ManagerOptions;
  if (defaults !== undefined) requireKnownKeys(defaults, DEFAULTS_KEYS, call, "options.defaults");
}

/** The update with the manager's defaults for the settings it leaves unset. */
export function applyDefaults(update: LifecycleUpdate, defaults: UpdateDefaults): LifecycleUpdate {
  return {
    ...update,
    ...(update.timeoutMs === undefined && defaults.timeoutMs !== undefined
      ? { timeoutMs: defaults.timeoutMs }
      : {}),
    ...(update.forceQuiescence === undefined && defaults.forceQuiescence !== undefined
      ? { forceQuiescence: defaults.forceQuiescence }
      : {}),
    ...(update.prepareTimeoutMs === undefined && defaults.prepareTimeoutMs !== undefined
      ? { prepareTimeoutMs: defaults.prepareTimeoutMs }
      : {}),
    ...(update.overTimeoutMs === undefined && defaults.overTimeoutMs !== undefined
      ? { overTimeoutMs: defaults.overTimeoutMs }
      : {}),
  };
}
