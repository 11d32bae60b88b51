/**
 * Cooperative components ("Prepare to Die"): a component is told an update
 * is coming, finishes or parks its pending work, reaches a stable state and
 * hands over its state in a format it declares — or refuses. Two-phase: the
 * update commits only when every affected component answered ready in time;
 * otherwise none commits and every component resumes as it was.
 *
 * Every component asked to prepare is resumed exactly once: with its
 * (possibly transformed) state after a commit, with the state it handed over
 * when nothing changed, and — for one that timed out — only once its late
 * answer arrives, so that it is never resumed half-way through preparing.
 */
import { performance } from "node:perf_hooks";

/** What a component is told about the coming update. */
export interface UpdateNotice {
  readonly update: string;
  readonly attempt: number;
  /** Names of the classes the update changes or migrates. */
  readonly classes: readonly string[];
}

export type PrepareAnswer<S = unknown> =
  | { readonly ready: true; readonly state: S }
  | { readonly ready: false; readonly reason: string };

export interface ResumeNotice {
  readonly update: string;
  /** Whether the update committed (the state is then the new version's). */
  readonly committed: boolean;
  /** Why it did not commit. */
  readonly reason?: string;
}

export interface Cooperative<S = unknown> {
  /** How reports name the component (default: its class name). */
  readonly name?: string;
  /** Reach a stable state and hand over the state, or refuse (a throw refuses too). */
  prepareForUpdate(update: UpdateNotice): PrepareAnswer<S> | Promise<PrepareAnswer<S>>;
  /** Continue, from `state` (undefined when the component refused or timed out). */
  resumeAfterUpdate(state: S | undefined, notice: ResumeNotice): void | Promise<void>;
}

export type ComponentVerdict = "ready" | "refused" | "timed-out" | "threw";

export interface ComponentAnswer {
  readonly component: string;
  readonly verdict: ComponentVerdict;
  readonly reason?: string;
  /** How long it took to answer (ms); for a time-out, the time-out. */
  readonly ms: number;
}

interface Entry {
  readonly component: Cooperative;
  readonly name: string;
  answer: ComponentAnswer | undefined;
  state: unknown;
  /** Settles when the component's prepare settles, whatever the time-out did. */
  settled: Promise<void>;
  resumed: boolean;
}

/** The outcome of phase one; `resume` is phase two for the no-commit case and the commit case alike. */
export interface Preparation {
  readonly ready: boolean;
  readonly answers: readonly ComponentAnswer[];
  /** States handed over by the ready components, in component order. */
  readonly states: ReadonlyMap<Cooperative, unknown>;
  /**
   * Resumes every component once. After a commit `states` gives each
   * component's new state; otherwise each gets back what it handed over.
   * Errors thrown by `resumeAfterUpdate` are collected, not thrown.
   */
  resume(
    notice: ResumeNotice,
    states?: ReadonlyMap<Cooperative, unknown>,
  ): Promise<readonly ResumeFailure[]>;
}

export interface ResumeFailure {
  readonly component: string;
  readonly error: unknown;
}

export function componentName(component: Cooperative, index: number): string {
  if (typeof component.name === "string" && component.name.length > 0) return component.name;
  const ctor = (component as { constructor?: { name?: unknown } }).constructor;
  const className =
    typeof ctor?.name === "string" && ctor.name !== "Object" ? ctor.name : "component";
  return `${className} #${index + 1}`;
}

/** Asks one component to prepare; its entry records the answer, however late it comes. */
function ask(component: Cooperative, index: number, notice: UpdateNotice): Entry {
  const entry: Entry = {
    component,
    name: componentName(component, index),
    answer: undefined,
    state: undefined,
    settled: Promise.resolve(),
    resumed: false,
  };
  const t0 = performance.now();
  const settle = (answer: ComponentAnswer, state?: unknown) => {
    if (entry.answer === undefined) {
      entry.answer = answer;
      entry.state = state;
    } else if (entry.answer.verdict === "timed-out" && answer.verdict === "ready") {
      // Late but ready: what it handed over is what it resumes from.
      entry.state = state;
    }
  };
  entry.settled = (async () => {
    try {
      const answer = await component.prepareForUpdate(notice);
      const ms = performance.now() - t0;
      if (answer && answer.ready === true)
        settle({ component: entry.name, verdict: "ready", ms }, answer.state);
      else {
        const reason = (answer as { reason?: unknown } | undefined)?.reason;
        settle({
          component: entry.name,
          verdict: "refused",
          reason: typeof reason === "string" ? reason : "refused",
          ms,
        });
      }
    } catch (error) {
      settle({
        component: entry.name,
        verdict: "threw",
        reason: (error as Error)?.message ?? String(error),
        ms: performance.now() - t0,
      });
    }
  })();
  return entry;
}

/** Waits for every answer or the time-out; those without an answer by then timed out. */
async function collectAnswers(entries: readonly Entry[], timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all(entries.map((e) => e.settled)),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, timeoutMs));
    }),
  ]);
  clearTimeout(timer);
  for (const e of entries) {
    if (e.answer === undefined) {
      e.answer = {
        component: e.name,
        verdict: "timed-out",
        reason: `no answer within ${timeoutMs} ms`,
        ms: timeoutMs,
      };
    }
  }
}

/** Phase two: resumes each component once (a timed-out one when its prepare settles). */
async function resumeAll(
  entries: readonly Entry[],
  notice: ResumeNotice,
  newStates: ReadonlyMap<Cooperative, unknown> | undefined,
): Promise<ResumeFailure[]> {
  const failures: ResumeFailure[] = [];
  const resumeOne = async (e: Entry) => {
    if (e.resumed) return;
    e.resumed = true;
    const state = newStates?.has(e.component) ? newStates.get(e.component) : e.state;
    try {
      await e.component.resumeAfterUpdate(state, notice);
    } catch (error) {
      failures.push({ component: e.name, error });
    }
  };
  const now: Promise<void>[] = [];
  for (const e of entries) {
    if (e.answer!.verdict === "timed-out") {
      // Resumed when its prepare settles; the update does not wait for it.
      void e.settled.then(() => resumeOne(e));
    } else now.push(resumeOne(e));
  }
  await Promise.all(now);
  return failures;
}

/**
 * Phase one: asks every component to prepare, concurrently, each within
 * `timeoutMs`. Ready only if all answered ready in time.
 */
export async function prepareComponents(
  components: readonly Cooperative[],
  notice: UpdateNotice,
  timeoutMs: number,
): Promise<Preparation> {
  const entries = components.map((component, i) => ask(component, i, notice));
  await collectAnswers(entries, timeoutMs);
  const answers = entries.map((e) => e.answer!);
  const states = new Map<Cooperative, unknown>();
  for (const e of entries) if (e.answer!.verdict === "ready") states.set(e.component, e.state);
  return {
    ready: answers.every((a) => a.verdict === "ready"),
    answers,
    states,
    resume: (resumeNotice, newStates) => resumeAll(entries, resumeNotice, newStates),
  };
}
