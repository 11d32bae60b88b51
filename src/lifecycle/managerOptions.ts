/** The options of an update manager, its events, and the defaults it gives the updates it queues. */
import type { CallTracker } from "./callTracking.js";
import type { FinalStatus, LifecycleEvent, LifecycleUpdate } from "./lifecycle.js";

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
