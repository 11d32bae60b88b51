/**
 * The update lifecycle (Pymoult's manager steps, "Prepare to Die", Erlang's
 * suspend / code_change / resume) around the migration pipeline:
 *
 *   check requirements ─ never ──► cancelled
 *        │ not yet ──────────────► postponed
 *   set-up ─► prepare components ─► wait for alterability ── time-out / refusal ─► clean-up after
 *        (two-phase, phase 1)        (criterion; forced quiescence          failed alterability ─► postponed
 *                                     holds new calls at entry)
 *   ┌─ one synchronous block ─────────────────────────────────────────┐
 *   │ final alterability check ─► suspend ─► transfer states ─► apply │─ refused ─► failed (nothing changed)
 *   └──────────────────────────────────────────────────────────────────┘
 *   health check ─ fails ─► rolled back
 *   pre-resume set-up ─► resume (release held calls, components resume) ─► wait until over ─► clean-up
 *
 * Each step is a hook with a default; the built-in mechanics (tracking,
 * holding, the two-phase protocol) run around the hooks, so a hook adds to
 * them and cannot forget to release a held call. Every status change is an
 * event carrying timings, and the final report says what happened and why.
 *
 * The final alterability check, `suspend`, the state transfer and `apply`
 * run in one synchronous block: in JavaScript nothing else runs inside it,
 * so what was checked is still true at the commit. `suspend` and `apply`
 * must therefore be synchronous.
 *
 * One verb family for running an update, in two layers:
 * - the engine (src/migration): `update` / `updateSync` apply a patch now,
 *   at the caller's update point — the phases build → detect → shadow →
 *   prepare → validate → commit, and nothing else. `update` only adds the
 *   optional health check after the commit.
 * - the lifecycle (this folder), a separate layer whose one verb is
 *   `runUpdate`: *when* to apply (requirements, alterability, quiescence,
 *   components, time-outs) and everything around the engine's phases. Its
 *   managers schedule `runUpdate`s. `applyUpdate` is kept as the documented
 *   thin form of the lifecycle's apply step — what `next()` runs inside the
 *   `apply` hook: `updateSync` plus the cooperative private-state path, with
 *   no waiting — for callers already at a safe point who need that path.
 * The lifecycle is not a set of options of `update` because it is
 * asynchronous and stateful (held calls, components, a tracker) where the
 * engine is one synchronous transaction; keeping them apart keeps the engine
 * free of scheduling and the lifecycle free of migration details.
 *
 * Files: run.ts (the state machine), runRecord.ts (events, timings, the
 * report), hooks.ts (what a run is given, hook defaults), events.ts,
 * report.ts (the report and retirement), runAlterability.ts (what a run
 * waits for), applyStep.ts (the apply step: the engine's phases inside the
 * synchronous block), apply.ts (`applyUpdate`, `preflight`).
 */
import { checkOptions } from "../migration/options.js";
import { kindOf } from "../valueKinds.js";
import type { LifecycleUpdate, RunOptions } from "./hooks.js";
import { RUN_KEYS, requireUpdate } from "./hooks.js";
import { requireKnownKeys } from "./optionKeys.js";
import type { LifecycleReport } from "./report.js";
import { Run } from "./run.js";
import { RunRecord } from "./runRecord.js";

export type { FinalStatus, LifecycleEvent, LifecycleStatus, LifecycleStep } from "./events.js";
export { isFinal } from "./events.js";
export type {
  LifecycleContext,
  LifecycleHooks,
  LifecycleUpdate,
  Requirement,
  RequirementVerdict,
  RunOptions,
} from "./hooks.js";
export type { LifecycleReport, RetirementReport } from "./report.js";
export { retirementReport } from "./report.js";

/**
 * Runs one attempt of an update through the lifecycle. Never rejects: every
 * outcome is a report, arguments it cannot take included (failed, nothing
 * run: an unknown key, `{ …, timeoutMS: 5 }`, waited the default 5 s).
 */
export function runUpdate(
  update: LifecycleUpdate,
  options: RunOptions = {},
): Promise<LifecycleReport> {
  try {
    requireUpdate(update, "runUpdate");
    requireKnownKeys(options, RUN_KEYS, "runUpdate");
    // update()'s options too, before any hook runs rather than at the apply step.
    if (update.options !== undefined) checkOptions(update.options, update.patch.name);
  } catch (error) {
    return Promise.resolve(refusedRun(update, options, error));
  }
  return new Run(update, options).execute();
}

/** The report of a run refused before it began; what it was given is read only where it can be. */
function refusedRun(update: unknown, options: unknown, error: unknown): LifecycleReport {
  const read = (from: unknown, key: string): unknown => {
    try {
      return kindOf(from) === "object" ? (from as Record<string, unknown>)[key] : undefined;
    } catch {
      return undefined;
    }
  };
  const name = read(update, "name") ?? read(read(update, "patch"), "name");
  const attempt = read(options, "attempt");
  const onEvent = read(options, "onEvent");
  const record = new RunRecord(
    typeof name === "string" ? name : "(unnamed update)",
    typeof attempt === "number" ? attempt : 1,
    typeof onEvent === "function" ? (onEvent as RunOptions["onEvent"]) : undefined,
  );
  const reason = `refused, nothing changed: ${(error as Error)?.message ?? String(error)}`;
  return record.report("failed", { reason, error });
}
