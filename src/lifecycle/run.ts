/**
 * One attempt of an update through the lifecycle, as a state machine:
 * checking → preparing → waiting → applying (migrating, validating, as the
 * engine's phases start) → committed / rolled-back, or failed, postponed,
 * cancelled on the way. Each stage is a method; the record (runRecord.ts)
 * writes down statuses, steps and the report; the engine's phases run
 * inside the apply step (apply.ts → updateSync).
 */
import { performance } from "node:perf_hooks";
import type { Constructor } from "../mop/createClass.js";
import { affectedClasses } from "./affected.js";
import type { Evaluation } from "./alterability.js";
import { evaluate, waitUntilAlterable } from "./alterability.js";
import type { AppliedUpdate } from "./apply.js";
import type { Finding } from "../migration/phases/find.js";
import { preflight, startFindingAhead } from "./apply.js";
import { applyStep } from "./applyStep.js";
import { BudgetExceededError } from "../migration/budget.js";
import { healthVerdict } from "./healthVerdict.js";
import type { CallTracker, Hold } from "./callTracking.js";
import type { Cooperative, Preparation } from "./cooperative.js";
import { prepareComponents } from "./cooperative.js";
import type { FinalStatus } from "./events.js";
import type { NamespaceSnapshot } from "../namespace/namespace.js";
import type { LifecycleContext, LifecycleHooks, LifecycleUpdate, RunOptions } from "./hooks.js";
import { defaultWaitUntilOver, normalise } from "./hooks.js";
import type { LifecycleReport } from "./report.js";
import { classVersions, retirementReport } from "./report.js";
import type { ReportExtra } from "./runRecord.js";
import { RunRecord } from "./runRecord.js";
import type { Alterability } from "./runAlterability.js";
import type { RollbackQuiescence } from "./quiescentRollback.js";
import { rollBackWhenAlterable } from "./quiescentRollback.js";
import { runAlterability, trackWhatItNeeds } from "./runAlterability.js";

type States = ReadonlyMap<Cooperative, unknown> | undefined;

/** Why a lazy or progressive update rolled itself back (its completion's rejection). */
const failureOf = (applied: AppliedUpdate): Promise<string> =>
  applied.completion.then(
    () => "unknown",
    (error: unknown) => message(error),
  );

const ended = (x: object): x is LifecycleReport => "events" in x && "status" in x;
const message = (error: unknown) => (error as Error)?.message ?? String(error);

export class Run {
  readonly record: RunRecord;
  readonly ctx: LifecycleContext;
  readonly hooks: LifecycleHooks;
  readonly tracker: CallTracker | undefined;
  readonly signal: AbortSignal;
  /** The version the update was asked on: one rolled back before the apply step refuses it (phases/requested.ts). */
  readonly requested: NamespaceSnapshot;
  /** How the update is applied, which its rollbacks repeat (from the end of preparing). */
  quiescence: RollbackQuiescence | undefined;
  /** `timeoutMs` after the wait started: bounds the wait and the migration code. */
  deadline: number | undefined;
  private hold: Hold | undefined;
  private preparation: Preparation | undefined;
  private setUpDone = false;
  private readonly autoTracked: Constructor[] = [];

  constructor(
    readonly update: LifecycleUpdate,
    readonly options: RunOptions,
  ) {
    const name = update.name ?? update.patch.name;
    const attempt = options.attempt ?? 1;
    this.record = new RunRecord(name, attempt, options.onEvent);
    this.tracker = options.tracker;
    this.hooks = update.hooks ?? {};
    this.signal = options.signal ?? new AbortController().signal;
    this.requested = update.namespace.snapshot;
    this.ctx = {
      name,
      attempt,
      update,
      tracker: this.tracker,
      affected: update.affects ?? affectedClasses(update.namespace, update.patch),
      signal: this.signal,
    };
  }

  get name(): string {
    return this.record.name;
  }

  async execute(): Promise<LifecycleReport> {
    try {
      return await this.lifecycle();
    } catch (error) {
      if (this.record.applied) {
        // After the commit the update stands; the error is reported.
        this.record.hookErrors.push({ step: "clean-up", error });
        await this.releaseAll(true);
        return this.report(this.record.status === "rolled-back" ? "rolled-back" : "committed");
      }
      // A hook or the machinery threw before the commit: nothing changed.
      return this.failed(message(error), error);
    }
  }

  private async lifecycle(): Promise<LifecycleReport> {
    const refused = await this.checkRequirements();
    if (refused) return refused;
    const alterability = await this.prepare();
    if (ended(alterability)) return alterability;
    this.quiescence = {
      update: this.name,
      tracker: this.tracker,
      alterability,
      timeoutMs: this.update.timeoutMs ?? 5000,
    };
    // Found while it waits, so that the apply step's block only migrates them (phases/find.ts).
    const finding = this.startFindingAhead();
    let block: Awaited<ReturnType<Run["waitForAlterability"]>>;
    let versionsBefore: ReturnType<typeof classVersions>;
    let applied: ReturnType<typeof applyStep>;
    try {
      block = await this.waitForAlterability(alterability);
      if (ended(block)) return block;
      // ---- still the synchronous block that the wait ended in ----
      versionsBefore = classVersions(this.update.namespace);
      applied = applyStep(this, block.startedAt, finding?.current());
    } finally {
      finding?.release();
    }
    if ("error" in applied) {
      // Its migration code ran past the time-out: refused with nothing changed, as a wait that timed out.
      if (applied.error instanceof BudgetExceededError)
        return this.notAlterable("postponed", applied.error.message);
      if (applied.rolledBack) {
        const reason = `the apply hook threw after next() had committed; the update was rolled back: ${message(applied.error)}`;
        return this.failed(reason, applied.error, "rolled-back");
      }
      return this.failed(`refused, nothing changed: ${message(applied.error)}`, applied.error);
    }
    // ---- end of the synchronous block ----
    return this.afterCommit(applied, block.states, versionsBefore);
  }

  /** Starts finding an eager update's instances for the block (undefined: the block finds them). */
  private startFindingAhead(): Finding | undefined {
    const { namespace, patch, options } = this.update;
    try {
      return startFindingAhead(namespace, patch, options?.policy);
    } catch {
      return undefined; // the apply step finds them itself, and reports what fails
    }
  }

  /** checking: the update's requirements (never → cancelled, not yet → postponed). */
  private async checkRequirements(): Promise<LifecycleReport | undefined> {
    this.record.to("checking");
    if (this.signal.aborted) return this.report("cancelled", { reason: this.cancelledReason() });
    const requirement = normalise(
      await this.record.step(
        "check-requirements",
        () => this.hooks.checkRequirements?.(this.ctx) ?? "ready",
      ),
    );
    if (requirement.verdict === "never") {
      return this.report("cancelled", {
        reason: requirement.reason ?? "its requirements will never be met",
      });
    }
    if (requirement.verdict === "not-yet") {
      return this.report("postponed", {
        reason: requirement.reason ?? "its requirements are not met yet",
      });
    }
    if (this.signal.aborted) return this.report("cancelled", { reason: this.cancelledReason() });
    return undefined;
  }

  /** preparing: set-up, the engine's pure phases as a preflight, tracking, components (phase one). */
  private async prepare(): Promise<Alterability | LifecycleReport> {
    const { update, ctx } = this;
    this.record.to("preparing");
    const alterability = runAlterability(this.update, this.ctx, this.options);
    await this.record.step("set-up", () => this.hooks.setUp?.(ctx));
    this.setUpDone = true;
    try {
      this.record.syncStep("preflight", () => preflight(update.namespace, update.patch));
    } catch (error) {
      return this.failed(`refused, nothing changed: ${message(error)}`, error);
    }
    if (this.tracker) this.autoTracked.push(...trackWhatItNeeds(this.tracker, alterability));
    if (update.components && update.components.length > 0) {
      const notice = {
        update: this.name,
        attempt: ctx.attempt,
        classes: ctx.affected.map((c) => c.name),
      };
      const timeoutMs = update.prepareTimeoutMs ?? update.timeoutMs ?? 5000;
      this.preparation = await this.record.step(
        "prepare-components",
        () => prepareComponents(update.components!, notice, timeoutMs),
        (preparation) => ({ answers: preparation.answers }),
      );
      this.record.componentAnswers = this.preparation.answers;
      if (!this.preparation.ready) {
        const why = this.preparation.answers
          .filter((a) => a.verdict !== "ready")
          .map((a) => `${a.component} ${a.verdict}${a.reason ? `: ${a.reason}` : ""}`)
          .join("; ");
        return this.notAlterable("postponed", `a component is not ready (${why})`);
      }
    }
    if (this.signal.aborted) return this.notAlterable("cancelled", this.cancelledReason());
    return alterability;
  }

  /**
   * waiting: until the criterion holds (forced quiescence holds new calls
   * meanwhile). Returns inside the synchronous block that ends with apply,
   * after the last check, `suspend` and the state transfer.
   */
  private async waitForAlterability({
    criterion,
    holdTargets,
  }: Alterability): Promise<{ startedAt: number; states: States } | LifecycleReport> {
    const tracker = this.tracker;
    const holding =
      holdTargets.length > 0 ? { holding: tracker!.holdableMethods(holdTargets) } : undefined;
    this.record.to("waiting", undefined, holding);
    const waitStart = performance.now();
    // The migration code too has until its own time-out; options.deadline (a window's end, a coordinator's) bounds the wait only.
    this.deadline = waitStart + (this.update.timeoutMs ?? 5000);
    const deadline = Math.min(this.deadline, this.options.deadline ?? Number.POSITIVE_INFINITY);
    if (holdTargets.length > 0) this.hold = tracker!.hold(holdTargets);
    for (;;) {
      const outcome = await this.record.step("wait-for-alterability", () =>
        waitUntilAlterable(criterion, {
          timeoutMs: deadline - performance.now(),
          signal: this.signal,
          ...(tracker ? { tracker } : {}),
        }),
      );
      if (!outcome.met) {
        if (outcome.why === "cancelled")
          return this.notAlterable("cancelled", this.cancelledReason(), outcome.evaluation);
        return this.notAlterable(
          "postponed",
          `not alterable within ${Math.round(deadline - waitStart)} ms: ${outcome.evaluation.blocking.join("; ") || "criterion not met"}`,
          outcome.evaluation,
        );
      }
      // ---- one synchronous block from here to the end of apply ----
      const startedAt = performance.now();
      if (!evaluate(criterion, tracker).met) continue; // the program moved on in between; wait again
      try {
        this.record.syncStep("suspend", () => this.hooks.suspend?.(this.ctx));
        return { startedAt, states: this.transferStates() };
      } catch (error) {
        return this.failed(`suspend or state transfer threw: ${message(error)}`, error);
      }
    }
  }

  private transferStates(): States {
    const transfer = this.update.transferState;
    if (!this.preparation || !transfer) return undefined;
    return new Map([...this.preparation.states].map(([c, s]) => [c, transfer(s, c)] as const));
  }

  /** committed: health check, resume, wait until over, clean-up — hooks here cannot undo the commit. */
  private async afterCommit(
    applied: AppliedUpdate,
    states: States,
    versionsBefore: ReturnType<typeof classVersions>,
  ): Promise<LifecycleReport> {
    const { update, hooks, ctx, tracker, record } = this;
    let reason = await this.healthCheck(applied);
    let status: FinalStatus = reason === undefined ? "committed" : "rolled-back";
    const committed = status === "committed";
    if (hooks.preResume)
      await record.tolerantStep("pre-resume", () => hooks.preResume!(ctx, applied));
    await record.tolerantStep("resume", async () => {
      await this.releaseAll(committed, reason, committed ? states : undefined);
      await hooks.resume?.(ctx, applied);
    });
    if (committed) {
      await record.tolerantStep("wait-until-over", () =>
        hooks.waitUntilOver
          ? hooks.waitUntilOver(ctx, applied)
          : defaultWaitUntilOver(applied, update.overTimeoutMs ?? 1000, tracker),
      );
      // An object that could not be migrated rolled the whole update back.
      if (applied.result?.state() === "rolled-back") {
        tracker?.refresh();
        status = "rolled-back";
        reason = `an object could not be migrated, so the update was rolled back: ${await failureOf(applied)}`;
        record.to("rolled-back", reason);
      }
    }
    const retirement = retirementReport(
      update.namespace,
      versionsBefore,
      applied,
      tracker,
      record.straddled,
    );
    if (hooks.cleanUp) await record.tolerantStep("clean-up", () => hooks.cleanUp!(ctx, status));
    return this.report(status, { ...(reason === undefined ? {} : { reason }), retirement });
  }

  /** Runs the health check; returns why the update was rolled back, if it was. */
  private async healthCheck(applied: AppliedUpdate): Promise<string | undefined> {
    const healthCheck = this.update.options?.healthCheck;
    if (!healthCheck) return undefined;
    // The hold stands until the update is known to stand: the check's own calls pass it (holdPassage.ts).
    const hold = this.hold;
    const check = hold ? () => hold.pass(healthCheck) : healthCheck;
    const reason = await this.record.step("health-check", () =>
      healthVerdict(check, this.update.options?.healthCheckTimeoutMs),
    );
    if (reason === undefined) return undefined;
    try {
      // Calls in flight finish first (the run's hold, if any, still stands); the update goes regardless.
      const still = await rollBackWhenAlterable(applied, this.quiescence!, {
        holdAnew: false,
        anyway: true,
      });
      const why =
        still.length > 0
          ? `${reason}; rolled back with calls in flight: ${still.join("; ")}`
          : reason;
      this.record.to("rolled-back", why);
      return why;
    } catch (error) {
      this.record.hookErrors.push({ step: "health-check", error });
      return undefined;
    }
  }

  /** Ends the hold (if any) and resumes components (if any), once. */
  private async releaseAll(committed: boolean, reason?: string, states?: States): Promise<void> {
    if (this.hold && !this.hold.released) {
      this.record.holdMs = performance.now() - this.hold.startedAt;
      this.record.heldCalls = this.hold.release();
    }
    const preparation = this.preparation;
    this.preparation = undefined;
    if (preparation) {
      this.record.resumeFailures = await preparation.resume(
        { update: this.name, committed, ...(reason === undefined ? {} : { reason }) },
        states,
      );
    }
  }

  private report(status: FinalStatus, extra: ReportExtra = {}): LifecycleReport {
    const report = this.record.report(status, extra);
    if (this.options.autoTrack !== "keep")
      for (const cls of this.autoTracked) this.tracker?.untrack(cls);
    return report;
  }

  /** Alterability was not reached: nothing changed, everything resumes as it was. */
  private async notAlterable(
    status: "postponed" | "cancelled",
    reason: string,
    detail?: Evaluation,
  ): Promise<LifecycleReport> {
    await this.releaseAll(false, reason);
    const cleanUp = this.hooks.cleanUpAfterFailedAlterability;
    if (this.setUpDone && cleanUp) {
      await this.record.tolerantStep("clean-up-after-failed-alterability", () =>
        cleanUp(this.ctx, reason),
      );
    }
    return this.report(status, {
      reason,
      ...(detail ? { detail: { blocking: detail.blocking } } : {}),
    });
  }

  private async failed(
    reason: string,
    error: unknown,
    status: "failed" | "rolled-back" = "failed",
  ): Promise<LifecycleReport> {
    await this.releaseAll(false, reason);
    if (this.setUpDone && this.hooks.cleanUp)
      await this.record.tolerantStep("clean-up", () => this.hooks.cleanUp!(this.ctx, status));
    return this.report(status, { reason, error });
  }

  private cancelledReason(): string {
    const r: unknown = this.signal.reason;
    return r instanceof Error ? r.message : typeof r === "string" ? r : "cancelled";
  }
}
