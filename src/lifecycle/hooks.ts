/**
 * What a lifecycle run is given: the update (patch, namespace, alterability,
 * components, time-outs), the run's options, and the hooks — one per step,
 * each with a default — with the defaults that are more than "nothing".
 */
import { performance } from "node:perf_hooks";
import { InvalidOptionError } from "../errors.js";
import type { Constructor } from "../mop/createClass.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Patch } from "../patch/patch.js";
import type { UpdateOptions } from "../migration/update.js";
import type { Criterion } from "./alterability.js";
import type { AppliedUpdate } from "./apply.js";
import type { CallTracker } from "./callTracking.js";
import type { Cooperative } from "./cooperative.js";
import type { FinalStatus, LifecycleEvent } from "./events.js";
import { keys, requireKnownKeys } from "./optionKeys.js";

/** "ready", "not-yet" (postpone and retry later) or "never" (cancel). */
export type RequirementVerdict = "ready" | "not-yet" | "never";
export type Requirement =
  | RequirementVerdict
  | { readonly verdict: RequirementVerdict; readonly reason?: string };

export interface LifecycleContext {
  readonly name: string;
  readonly attempt: number;
  readonly update: LifecycleUpdate;
  readonly tracker: CallTracker | undefined;
  /** Live classes the update changes or migrates, with their subclasses. */
  readonly affected: readonly Constructor[];
  /** Aborts when the update is cancelled (honoured until the apply step). */
  readonly signal: AbortSignal;
}

/** Steps of the lifecycle. Every hook is optional; the defaults are given per hook. */
export interface LifecycleHooks {
  /** Default "ready". "not-yet" postpones the update; "never" cancels it. */
  checkRequirements?(ctx: LifecycleContext): Requirement | Promise<Requirement>;
  /** Prepares the program for the update (default: nothing). Undo it in `cleanUpAfterFailedAlterability`. */
  setUp?(ctx: LifecycleContext): void | Promise<void>;
  /** Runs when alterability was not reached (time-out, refusal, cancellation): undo `setUp` (default: nothing). */
  cleanUpAfterFailedAlterability?(ctx: LifecycleContext, reason: string): void | Promise<void>;
  /** Synchronous, right before `apply`, after the last alterability check (default: nothing). */
  suspend?(ctx: LifecycleContext): void;
  /**
   * Synchronous; commits or throws with nothing changed. Default: `next()`,
   * which runs `applyUpdate` (the migration pipeline, with the cooperative
   * private-state path). A hook may wrap `next`.
   */
  apply?(ctx: LifecycleContext, next: () => AppliedUpdate): AppliedUpdate;
  /** After the commit (and health check), before anything resumes (default: nothing). */
  preResume?(ctx: LifecycleContext, applied: AppliedUpdate): void | Promise<void>;
  /** After held calls were released and components resumed (default: nothing). */
  resume?(ctx: LifecycleContext, applied: AppliedUpdate | undefined): void | Promise<void>;
  /**
   * Waits until no object is left on an old layout. Default: eager — nothing
   * to wait for; progressive — the sweep's completion; lazy — until no
   * pending instance is left; both for at most `overTimeoutMs`, after which
   * the rest migrates at once.
   */
  waitUntilOver?(ctx: LifecycleContext, applied: AppliedUpdate): void | Promise<void>;
  /** At the end of every attempt that got past set-up and did not fail alterability (default: nothing). */
  cleanUp?(ctx: LifecycleContext, status: FinalStatus): void | Promise<void>;
}

export interface LifecycleUpdate {
  /** Default: the patch's name. */
  readonly name?: string;
  readonly namespace: Namespace;
  readonly patch: Patch;
  /** Options of the migration pipeline (policy, healthCheck, sliceSize, onEvent). */
  readonly options?: UpdateOptions;
  /**
   * When the update may be applied. Default: quiescence of the affected
   * classes when a call tracker is available, otherwise always (the caller's
   * update point).
   */
  readonly alterability?: Criterion;
  /**
   * Forced quiescence: hold new calls of the quiesced methods at entry while
   * waiting, apply as soon as the in-flight ones drained, then release them
   * in arrival order on the new version (on the old one if the update is
   * postponed). Needs a call tracker.
   */
  readonly forceQuiescence?: boolean;
  /** Time-out for reaching alterability (ms). Default 5000. */
  readonly timeoutMs?: number;
  readonly components?: readonly Cooperative[];
  /** Time-out for components to answer (ms). Default: `timeoutMs`. */
  readonly prepareTimeoutMs?: number;
  /**
   * Transforms a component's handed-over state into what it resumes from
   * after the commit (Erlang's code_change). Runs inside the synchronous
   * block before the commit; a throw refuses the update. Default: identity.
   */
  readonly transferState?: (state: unknown, component: Cooperative) => unknown;
  /** Classes whose code the update affects. Default: `affectedClasses(namespace, patch)`. */
  readonly affects?: readonly Constructor[];
  /** Bound of the wait-until-over step (ms). Default 1000. */
  readonly overTimeoutMs?: number;
  readonly hooks?: LifecycleHooks;
}

export interface RunOptions {
  readonly tracker?: CallTracker;
  /** Attempt number (managers count them). Default 1. */
  readonly attempt?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: LifecycleEvent) => void;
  /** `performance.now()` after which the update must not commit (a window's end). */
  readonly deadline?: number;
  /** What an update without `alterability` waits for. Default: "quiescence" with a tracker, else "update-point". */
  readonly defaultAlterability?: "quiescence" | "update-point";
  /**
   * Affected classes the tracker did not track yet are tracked for this run;
   * "keep" leaves them tracked afterwards (managers), "for-this-run" untracks
   * them at the end. Default "for-this-run".
   */
  readonly autoTrack?: "keep" | "for-this-run";
}

/** The keys of what a run is given: Records, so that a key added to a type must be added here. */
const UPDATE_KEYS = keys<LifecycleUpdate>({
  name: true,
  namespace: true,
  patch: true,
  options: true,
  alterability: true,
  forceQuiescence: true,
  timeoutMs: true,
  components: true,
  prepareTimeoutMs: true,
  transferState: true,
  affects: true,
  overTimeoutMs: true,
  hooks: true,
});
const HOOK_KEYS = keys<LifecycleHooks>({
  checkRequirements: true,
  setUp: true,
  cleanUpAfterFailedAlterability: true,
  suspend: true,
  apply: true,
  preResume: true,
  resume: true,
  waitUntilOver: true,
  cleanUp: true,
});
export const RUN_KEYS = keys<RunOptions>({
  tracker: true,
  attempt: true,
  signal: true,
  onEvent: true,
  deadline: true,
  defaultAlterability: true,
  autoTrack: true,
});
/**
 * An update as the lifecycle is given it (runUpdate, a manager's enqueue),
 * checked before anything runs: its keys, its hooks' (optionKeys.ts), and
 * the namespace and patch it needs (without a patch, a raw TypeError).
 */
export function requireUpdate(update: unknown, call: string): asserts update is LifecycleUpdate {
  requireKnownKeys(update, UPDATE_KEYS, call, "an update");
  const { hooks, namespace, patch } = update as Partial<LifecycleUpdate>;
  for (const [option, value] of [
    ["namespace", namespace],
    ["patch", patch],
  ] as const)
    if (value === undefined)
      throw new InvalidOptionError(`${call}: an update needs a namespace and a patch`, {
        call,
        option,
      });
  if (hooks !== undefined) requireKnownKeys(hooks, HOOK_KEYS, call, "update.hooks", "hook");
}

export function normalise(requirement: Requirement | undefined): {
  verdict: RequirementVerdict;
  reason?: string;
} {
  if (requirement === undefined) return { verdict: "ready" };
  if (typeof requirement === "string") return { verdict: requirement };
  return requirement;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function defaultWaitUntilOver(
  applied: AppliedUpdate,
  overTimeoutMs: number,
  tracker?: CallTracker,
) {
  if (applied.policy !== "eager" && applied.pendingInstances() > 0) {
    if (applied.policy === "progressive") {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        // A failed migration rolled the update back: the run reports it from the state.
        applied.completion.catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, overTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
    } else {
      const end = performance.now() + overTimeoutMs;
      while (performance.now() < end && applied.pendingInstances() > 0)
        await sleep(Math.min(50, end - performance.now()));
    }
  }
  // Whatever is left migrates now; the lazy guards go, and tracking wraps
  // the bare methods again in the same synchronous block.
  applied.completeMigration();
  tracker?.refresh();
}
