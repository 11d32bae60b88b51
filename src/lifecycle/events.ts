/**
 * What a lifecycle run says while it runs: the statuses it passes through,
 * the steps it times, and the events that carry both.
 */
export type LifecycleStatus =
  | "idle"
  | "checking"
  | "preparing"
  | "waiting"
  | "applying"
  | "migrating"
  | "validating"
  | "committed"
  | "rolled-back"
  | "failed"
  | "postponed"
  | "cancelled";

/** How an attempt ends. */
export type FinalStatus = "committed" | "rolled-back" | "failed" | "postponed" | "cancelled";

export type LifecycleStep =
  | "check-requirements"
  | "set-up"
  | "preflight"
  | "prepare-components"
  | "wait-for-alterability"
  | "clean-up-after-failed-alterability"
  | "suspend"
  | "apply"
  | "health-check"
  | "pre-resume"
  | "resume"
  | "wait-until-over"
  | "clean-up";

export type LifecycleEvent =
  | {
      readonly type: "transition";
      readonly update: string;
      readonly attempt: number;
      readonly from: LifecycleStatus;
      readonly to: LifecycleStatus;
      /** ms since the attempt started. */
      readonly atMs: number;
      /** ms spent in `from`. */
      readonly previousMs: number;
      readonly reason?: string;
      readonly detail?: Readonly<Record<string, unknown>>;
    }
  | {
      readonly type: "step";
      readonly update: string;
      readonly attempt: number;
      readonly step: LifecycleStep;
      readonly atMs: number;
      /** How long the step took. */
      readonly ms: number;
      readonly detail?: Readonly<Record<string, unknown>>;
    };

const FINAL: ReadonlySet<LifecycleStatus> = new Set([
  "committed",
  "rolled-back",
  "failed",
  "postponed",
  "cancelled",
]);

export function isFinal(status: LifecycleStatus): status is FinalStatus {
  return FINAL.has(status);
}
