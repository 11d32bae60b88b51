/**
 * Which calls a reload waits for. Only a call suspended at an `await` can
 * straddle a reload (a synchronous call always ends before the synchronous
 * commit starts), so only `async` methods are tracked: the others stay the
 * bare functions of the class, and calling them costs nothing more than
 * without metamorph. A method that returns a promise without being declared
 * `async` is not tracked, nor is an async generator (a call returns its
 * iterator at once, and one suspended at a `yield` between two `next()`
 * calls could wait forever): documented in docs/dev.md.
 */
import type { CallTracker } from "../lifecycle/callTracking.js";
import { currentVersion } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";

/** How long a reload waits for calls in flight by default (ms): `metamorph dev --quiescence-timeout`, the Vite plugin's `quiescenceTimeout`. */
export const QUIESCENCE_TIMEOUT_MS = 5000;

const SUSPENDABLE = new Set(["AsyncFunction"]);

/** The instance methods of the handle's current version that can be suspended. */
function suspendableMethods(handle: Constructor): PropertyKey[] {
  const prototype = currentVersion(handle).ctor.prototype as object;
  return Reflect.ownKeys(prototype).filter((key) => {
    if (key === "constructor") return false;
    const d = Reflect.getOwnPropertyDescriptor(prototype, key);
    return (
      d !== undefined &&
      "value" in d &&
      typeof d.value === "function" &&
      SUSPENDABLE.has((d.value as Function).constructor.name)
    );
  });
}

/** Tracks the suspendable methods of managed classes, again after each update. */
export class SuspendableTracking {
  /** The methods tracked per class, as a key to see when a version changed them. */
  readonly #tracked = new WeakMap<Constructor, string>();
  readonly #handles = new Set<Constructor>();

  constructor(readonly tracker: CallTracker) {}

  /** Starts tracking a class (at its registration). */
  track(handle: Constructor): void {
    this.#handles.add(handle);
    this.#retrack(handle);
  }

  /**
   * After an update (or its undo): tracks the methods of the current
   * versions — new async methods included — and wraps again the methods an
   * update replaced.
   */
  refresh(): void {
    for (const handle of this.#handles) this.#retrack(handle);
    this.tracker.refresh();
  }

  /** Whether the class has methods a call can be suspended in (then a reload must be atomic with its check for calls in flight). */
  suspendable(handle: Constructor): boolean {
    return suspendableMethods(handle).length > 0;
  }

  #retrack(handle: Constructor): void {
    const methods = suspendableMethods(handle);
    const key = methods.map(String).join("\n");
    if (this.#tracked.get(handle) === key && this.tracker.isTracking(handle)) return;
    this.tracker.untrack(handle);
    this.tracker.track(handle, { methods });
    this.#tracked.set(handle, key);
  }
}

/** Calls of the affected classes in flight, which a reload waits for. */
export interface CallsInFlight {
  /** The affected classes whose calls are tracked (what the hold covers). */
  readonly affected: readonly Constructor[];
  readonly count: number;
  /** The methods, for people: `Account.work(), Account.flush()`. */
  readonly calls: string;
}

/** The calls in flight of the affected classes, or undefined when there are none. */
export function callsInFlight(
  tracker: CallTracker,
  classes: readonly Constructor[],
): CallsInFlight | undefined {
  const affected = classes.filter((c) => tracker.isTracking(c));
  const inFlight = tracker.inFlight(affected);
  if (inFlight.length === 0) return undefined;
  const calls = [...new Set(inFlight.map((c) => `${c.className}.${c.method}()`))].join(", ");
  return { affected, count: inFlight.length, calls };
}

/** What a reload says while it waits. */
export function waitingLine(waiting: CallsInFlight): string {
  const s = waiting.count === 1 ? "" : "s";
  return `waiting for ${waiting.count} call${s} in flight (${waiting.calls}); new calls are held`;
}

/**
 * What to do after a reload gave up waiting for calls in flight
 * (./quiescentUpdate.ts), instead of "save again to retry": a call that
 * never returns (a game's or a poller's `async run()` loop) makes every
 * retry wait and fail the same way (review advY5 H3). `restart` says how
 * to start again with the edit: `rs` under `metamorph dev`, a page reload.
 */
export function afterTimeout(error: unknown, restart: string): string | undefined {
  const details = (error as { code?: unknown; details?: { calls?: unknown } } | null) ?? {};
  if (details.code !== "MM_LIFECYCLE" || typeof details.details?.calls !== "string") {
    return undefined;
  }
  return `the running version is kept; saving again waits for ${details.details.calls} again: if it never returns (a loop), ${restart} to apply this edit, or have the loop stop on a flag before you save; edits that change only method bodies apply while it runs`;
}
