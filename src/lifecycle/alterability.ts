/**
 * Alterability: when the program is in a state where an update may be
 * applied. A criterion is data — quiescence of classes or methods (decided on
 * the in-flight calls a CallTracker sees), an arbitrary predicate on program
 * state, or a combination — evaluated synchronously, so that the lifecycle can
 * check it and commit in one synchronous block: nothing can start between a
 * "yes" and the commit.
 */
import { performance } from "node:perf_hooks";
import { LifecycleError } from "../errors.js";
import type { CallTracker } from "./callTracking.js";
import type { QuiescenceTarget } from "./quiescenceTargets.js";
import { describeTarget } from "./quiescenceTargets.js";
import { keys, requireKnownKeys } from "./optionKeys.js";

export type Criterion =
  | { readonly kind: "quiescent"; readonly targets: readonly QuiescenceTarget[] }
  | { readonly kind: "predicate"; readonly description: string; readonly test: () => boolean }
  | { readonly kind: "all"; readonly of: readonly Criterion[] }
  | { readonly kind: "any"; readonly of: readonly Criterion[] };

/** No call of these classes' (or methods') code is in flight. */
export function quiescent(...targets: QuiescenceTarget[]): Criterion {
  return { kind: "quiescent", targets };
}

/** An arbitrary predicate on program state; `description` is what reports say when it does not hold. */
export function when(description: string, test: () => boolean): Criterion {
  return { kind: "predicate", description, test };
}

export function allOf(...criteria: Criterion[]): Criterion {
  return { kind: "all", of: criteria };
}

export function anyOf(...criteria: Criterion[]): Criterion {
  return { kind: "any", of: criteria };
}

/** Always alterable (an update point: the program decided the moment). */
export const always: Criterion = Object.freeze({ kind: "all", of: [] });

export interface Evaluation {
  readonly met: boolean;
  /** Why not, one line per unmet part (e.g. "Worker.run: 1 call in flight, the oldest for 5002 ms"). */
  readonly blocking: readonly string[];
}

/** Every quiescence target the criterion mentions. */
export function quiescenceTargets(criterion: Criterion): QuiescenceTarget[] {
  switch (criterion.kind) {
    case "quiescent":
      return [...criterion.targets];
    case "predicate":
      return [];
    case "all":
    case "any":
      return criterion.of.flatMap(quiescenceTargets);
  }
}

/** Evaluates the criterion now, synchronously. */
export function evaluate(criterion: Criterion, tracker: CallTracker | undefined): Evaluation {
  switch (criterion.kind) {
    case "quiescent": {
      if (criterion.targets.length === 0) return { met: true, blocking: [] };
      if (!tracker) {
        throw new LifecycleError(
          `quiescence of ${criterion.targets.map(describeTarget).join(", ")} needs a call tracker (give one, or use a manager)`,
          {},
        );
      }
      const calls = tracker.inFlight(criterion.targets);
      if (calls.length === 0) return { met: true, blocking: [] };
      const now = performance.now();
      const byMethod = new Map<string, number[]>();
      for (const c of calls) {
        const name = `${c.className}.${c.method}`;
        byMethod.set(name, [...(byMethod.get(name) ?? []), now - c.startedAt]);
      }
      return {
        met: false,
        blocking: [...byMethod].map(([name, ages]) => {
          const waiting = ages.filter((a) => Number.isFinite(a));
          const running = ages.length - waiting.length;
          const parts = [`${name}: ${ages.length} call${ages.length === 1 ? "" : "s"} in flight`];
          if (waiting.length > 0)
            parts.push(`the oldest for ${Math.round(Math.max(...waiting))} ms`);
          if (running > 0)
            parts.push(
              `${running} running synchronously around this check (an update point inside it?)`,
            );
          return parts.join(", ");
        }),
      };
    }
    case "predicate": {
      try {
        return criterion.test()
          ? { met: true, blocking: [] }
          : { met: false, blocking: [`${criterion.description}: not yet`] };
      } catch (error) {
        return {
          met: false,
          blocking: [
            `${criterion.description}: threw ${(error as Error)?.message ?? String(error)}`,
          ],
        };
      }
    }
    case "all": {
      const parts = criterion.of.map((c) => evaluate(c, tracker));
      return { met: parts.every((p) => p.met), blocking: parts.flatMap((p) => p.blocking) };
    }
    case "any": {
      if (criterion.of.length === 0) return { met: false, blocking: ["any of nothing"] };
      const parts = criterion.of.map((c) => evaluate(c, tracker));
      if (parts.some((p) => p.met)) return { met: true, blocking: [] };
      return { met: false, blocking: [`none of: ${parts.flatMap((p) => p.blocking).join("; ")}`] };
    }
  }
}

export interface WaitOptions {
  readonly tracker?: CallTracker;
  /** Give up after this long (ms). */
  readonly timeoutMs: number;
  /** How often predicates are re-evaluated (quiescence is re-evaluated whenever a call ends). Default 10 ms. */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

const WAIT_KEYS = keys<WaitOptions>({ tracker: true, timeoutMs: true, pollMs: true, signal: true });

export type WaitOutcome =
  | { readonly met: true }
  | { readonly met: false; readonly why: "timeout" | "cancelled"; readonly evaluation: Evaluation };

/**
 * Resolves when the criterion holds (checked on every change the tracker
 * reports and every `pollMs`), when `timeoutMs` passes, or when `signal`
 * aborts. A "met" answer is a hint: the caller re-evaluates synchronously
 * right before it commits, because the program runs in between.
 */
export function waitUntilAlterable(
  criterion: Criterion,
  options: WaitOptions,
): Promise<WaitOutcome> {
  try {
    requireKnownKeys(options, WAIT_KEYS, "waitUntilAlterable");
  } catch (error) {
    return Promise.reject(error);
  }
  const { tracker, timeoutMs, signal } = options;
  return new Promise<WaitOutcome>((resolve) => {
    let done = false;
    let poll: ReturnType<typeof setInterval> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe = () => {};
    const onAbort = () =>
      finish({ met: false, why: "cancelled", evaluation: evaluate(criterion, tracker) });
    function finish(outcome: WaitOutcome) {
      if (done) return;
      done = true;
      if (poll !== undefined) clearInterval(poll);
      if (timer !== undefined) clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener("abort", onAbort);
      resolve(outcome);
    }
    const check = () => {
      if (!done && evaluate(criterion, tracker).met) finish({ met: true });
    };
    if (signal?.aborted) return onAbort();
    check();
    if (done) return;
    signal?.addEventListener("abort", onAbort, { once: true });
    if (tracker) unsubscribe = tracker.onChange(check);
    poll = setInterval(check, options.pollMs ?? 10);
    timer = setTimeout(
      () => finish({ met: false, why: "timeout", evaluation: evaluate(criterion, tracker) }),
      Math.max(0, timeoutMs),
    );
  });
}
