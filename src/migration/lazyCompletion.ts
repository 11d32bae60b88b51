// size: one class, the state of a lazy update after its commit (marks, logs,
// guards, the completion's deferred marking), whose methods share that
// private state and are each short; the bulk pass and the reading of the
// registry are apart (lazyBulk.ts).
/**
 * The state of a lazy or progressive update after its commit: which objects
 * already have the new layout, the guards that migrate the others at first
 * touch (lazyMigration.ts), and completing the migration of whatever is
 * left. The update stays transactional until it is complete: the first
 * object that cannot be migrated — at first touch, in the sweep or in
 * `complete()` — makes `onFailure` roll the whole update back (result.ts).
 * One such update at a time per namespace: a later update completes the
 * earlier one first.
 */
import {
  MetamorphError,
  MigrationError,
  RollbackError,
  UnswappableObjectError,
} from "../errors.js";
import type { Undo } from "../mop/classHandle.js";
import { observeConstruction } from "../mop/classHandle.js";
import { getPrototypeOf, isMixin, isPrototypeObject } from "../mop/instances/finder.js";
import type { HeapFinder } from "../mop/instances/heapFinder.js";
import type { RegistryFinder } from "../mop/instances/registryFinder.js";
import type { Namespace } from "../namespace/namespace.js";
import { clearMigratingProbe, setMigratingProbe, whileBusy } from "./exclusive.js";
import { NestedUpdateError } from "./errors.js";
import { builtOnNewLayout, hasNewLayout } from "./builtSince.js";
import { BulkFailure, bulkEligible, migrateInBulk, onNewLayout, pendingIn } from "./lazyBulk.js";
import { callersOfGuard, installLazyGuards } from "./lazyMigration.js";
import type { MarksCheckpoint } from "./lazyMarks.js";
import { LazyMarks } from "./lazyMarks.js";
import type { Plan } from "./migrationPlan.js";
import { newCodeFrame } from "./newCodeOnStack.js";
import { isBeingInitialised, underConstruction, watchConstruction } from "./pendingConstruction.js";
import { isProxy, refuseHiddenStateOf } from "./proxies.js";
import {
  isUnmanagedHome,
  managedHomes,
  unmanagedBelow,
  unmanagedSubclassError,
} from "./unmanagedSubclasses.js";
import { MigrationLog } from "./migrationLog.js";
import type { LazyCompletion } from "./types.js";

/** Objects per log of objects migrated one at a time (LazyMigration.logByPrototype). */
const SEGMENT = 1 << 14;

/**
 * A log for `count` objects of `plan` migrated one after another, its arrays
 * allocated once: growing multi-megabyte arrays element by element copies
 * them again and again.
 */
function batchLog(plan: Plan, count: number): MigrationLog {
  const log = new MigrationLog(plan, plan.compiled);
  const { fast, stride, computedCount } = plan.compiled;
  if (fast && stride > 0) log.old = new Array<unknown>(count * stride);
  if (fast && computedCount > 0) log.computed = new Array<unknown>(count * computedCount);
  return log;
}

/** One object's rewrite under way: the object, its log and entry, and whether its new state is being written. */
interface Rewriting {
  readonly object: object;
  readonly log: MigrationLog;
  /** Its position in `log`, known once it is prepared (migrations nested in its preparation come first). */
  at: number;
  applied: boolean;
}

/** Where a lazy migration failed. */
export type FailedDuring = "first-touch" | "sweep" | "complete";

const active = new WeakMap<Namespace, LazyMigration>();

/**
 * Where a lazy update stood when a later update completed it: what that
 * completion changed is put back (`reopen`) if the later update is rolled
 * back or refused, so that the objects it brought onto this update's layout
 * are pending again, on their old layout, exactly as before it.
 */
export interface Checkpoint {
  readonly logs: number;
  /** Each plan's log that objects migrated one at a time went into. */
  readonly current: readonly MigrationLog[];
  readonly lengths: readonly number[];
  readonly migrated: number;
  readonly marks: MarksCheckpoint;
  /**
   * The objects built while it was pending whose brands the completion
   * that follows took off (filled by it): a reopen brands them again, so
   * that they are exactly as before.
   */
  readonly built: object[];
}

/** An earlier lazy update a later one completed, and where it stood (null once nothing can reopen it). */
export interface EarlierCompletion {
  /**
   * Null once the later update is permanent: the earlier one can no longer
   * be reopened, and holding it chained every lazy update the namespace
   * ever had (each completes the one before), ~37 kB an update for good
   * (review advZ28 #2).
   */
  lazy: LazyMigration | null;
  checkpoint: Checkpoint | null;
}

/**
 * Completes the namespace's lazy update in progress, if any, and says where
 * it stood before (for `reopen`). If it cannot complete, it is rolled back
 * and the new update is refused: it was written for the version that no
 * longer runs.
 */
export function completeEarlierUpdate(
  namespace: Namespace,
  patch: string,
): EarlierCompletion | undefined {
  const earlier = active.get(namespace);
  if (!earlier) return undefined;
  const checkpoint = earlier.checkpoint();
  // Told once the later update commits: refused, it reopens this one.
  if (checkpoint) earlier.completeHeld();
  else earlier.complete();
  const stranded = earlier.strandedNow;
  if (stranded.length > 0) {
    // Permanent: nothing reopens it, and its completion is told as before.
    earlier.tellHeld();
    throw new MigrationError(
      `update ${patch} was not applied: the earlier lazy update ${earlier.patch}, made permanent, could not migrate ${stranded.length} object(s) (${stranded[0]!.error.message})`,
      { ...stranded[0]!.error.details, patch, earlier: earlier.patch },
    );
  }
  if (earlier.failure) {
    throw new MigrationError(
      `update ${patch} was not applied: the earlier lazy update ${earlier.patch} could not complete and was rolled back (${earlier.failure.message})`,
      { ...earlier.failure.details, patch, earlier: earlier.patch, cause: earlier.failure },
    );
  }
  return checkpoint ? { lazy: earlier, checkpoint } : undefined;
}

export class LazyMigration {
  /** Objects already on the new layout. */
  private readonly marks = new LazyMarks();
  private readonly undos: Undo[] = [];
  /**
   * Per class prototype, the log its objects migrated one at a time go
   * into: a new one every SEGMENT objects, since a log's arrays grow by
   * copying themselves (at 10^6 objects, one append copied megabytes: a
   * block of 10–25 ms in a progressive sweep).
   */
  private readonly logByPrototype: Map<object, MigrationLog>;
  private guarded = false;
  /**
   * Migrations done since the commit (kept for rollback until the update is
   * permanent): one log per plan, in plan order, then one per plan for each
   * `complete()` that ran.
   */
  readonly logs: MigrationLog[];
  /** How many objects migrated since the commit. */
  migratedCount = 0;
  private readonly busyWith: string;
  /** The failure that rolled the update back, if one did. */
  failure: MigrationError | undefined;
  /** Told when no old-layout object is left; set by the result (result.ts). */
  onComplete: ((completion: LazyCompletion) => void) | undefined;
  /** Rolls the update back; set by the result (result.ts). */
  onFailure: ((error: MigrationError, during: FailedDuring) => void) | undefined;
  private during: FailedDuring = "first-touch";
  /**
   * While `complete()` runs: per log, the position from which its objects
   * are migrated but not yet marked (see completeAll); null otherwise.
   */
  private unmarkedFrom: number[] | null = null;
  /** The plan whose objects `complete()` is rewriting in bulk (lazyBulk.ts), if any. */
  private bulk: Plan | null = null;
  /** Set once the update is permanent or rolled back: nothing can reopen it (`reopen`). */
  private forgotten = false;
  /** Logs appended to since the update was forgotten, cleared by `letGo`. */
  private readonly kept = new Set<MigrationLog>();
  /** Objects that could not be migrated once the update was permanent (`strand`). */
  // Held weakly: an object the program drops is no longer pending, and must
  // not block every later update.
  private readonly stranded = new WeakMap<object, MigrationError>();
  private readonly strandedRefs = new Set<WeakRef<object>>();
  private readonly strandings = new WeakSet<MigrationError>();
  /** Whether the progressive sweep (sweep.ts) is running over this update. */
  sweeping = false;
  /** Told when a reopen made objects pending again (result.ts restarts the sweep). */
  onReopen: (() => void) | undefined;
  /**
   * The completion a later update ran first (completeEarlierUpdate), told
   * once that update commits (`tellHeld`): refused, it reopened this one,
   * and its completion resolved although nothing had migrated for good.
   */
  private held: LazyCompletion | null = null;
  private holding = false;
  /**
   * The rewrites under way, outermost first (one migration's user code may
   * touch another object); the last is the object being migrated, which a
   * method its rewrite calls on it must not migrate again.
   */
  private readonly inProgress: Rewriting[] = [];

  /**
   * Set when a first touch failed under new-version code (newCodeOnStack.ts):
   * the touch throws it rather than go on with the old version.
   */
  private abandoned: MigrationError | undefined;
  /** The same, where the new code runs above the outermost of nested first touches. */
  private abandonedAbove: MigrationError | undefined;
  /** Set when the rollback after a failure itself threw: guards may still be in. */
  private rollbackFailure: MigrationError | undefined;
  /**
   * Whether an object built since the commit was branded at construction
   * (lazyMarks.ts markBuilt); until then nobody looks for such brands.
   */
  private builtBranded = false;
  /** Whether `complete()` is running: what it builds is marked in the set (it has listed the objects already). */
  private completing = false;
  /**
   * While `complete()` runs: the objects branded at construction that its
   * search met, whose brands go with the guards (they are listed nowhere).
   */
  private builtFound: object[] | null = null;
  /** Whether a later update took a checkpoint (it may reopen this one). */
  private checkpointed = false;
  /** The last checkpoint's `built`, until the completion that follows it has filled it. */
  private checkpointBuilt: object[] | null = null;

  /** `changed`: the classes the update gives a new version (new names). */
  constructor(
    readonly namespace: Namespace,
    readonly patch: string,
    readonly plans: readonly Plan[],
    private readonly changed: ReadonlySet<string>,
  ) {
    this.logs = plans.map((p) => new MigrationLog(p, p.compiled));
    this.logByPrototype = new Map(this.logs.map((log) => [log.plan.prototype, log]));
    this.busyWith = `the lazy migration of ${patch}`;
  }

  /** Forgets what a rollback would need (the update became permanent or was rolled back). */
  forget(): void {
    this.forgotten = true;
    this.marks.forget();
    // Not under a migration that is running (makePermanent() from a migrator):
    // it reads its position in its log, and a cleared log reads as a rollback.
    for (const log of this.logs) if (log.length > 0) this.kept.add(log);
    this.letGo();
  }

  /** Where this update stands, for `reopen` (null when no guard is installed: nothing to complete). */
  checkpoint(): Checkpoint | null {
    if (!this.guarded || this.failure) return null;
    this.settleMarks();
    this.checkpointed = true;
    const built: object[] = [];
    this.checkpointBuilt = built;
    return {
      built,
      logs: this.logs.length,
      current: [...this.logByPrototype.values()],
      lengths: this.logs.map((log) => log.length),
      migrated: this.migratedCount,
      marks: this.marks.checkpoint(),
    };
  }

  /**
   * Undoes the completion a later update ran from `checkpoint` (that update
   * was rolled back or refused, and its own objects are back on this
   * update's new layout): each object the completion migrated goes back to
   * the old layout through `revert` (newest first) and is pending again; the
   * marks are as they were (`since`: objects the later update made, now on
   * this update's new layout), and the guards go back in. Nothing happens
   * once the update is permanent (its logs are gone) or guarded again.
   */
  reopen(
    checkpoint: Checkpoint,
    since: readonly object[],
    revert: (log: MigrationLog, index: number) => void,
  ): void {
    const held = this.held;
    this.held = null;
    if (this.forgotten || this.guarded || this.failure) {
      // Nothing reopens (made permanent meanwhile): the completion stands.
      if (held !== null && !this.guarded && !this.failure) this.onComplete?.(held);
      return;
    }
    const reverted: object[] = [];
    for (let k = this.logs.length - 1; k >= 0; k--) {
      const log = this.logs[k]!;
      const from = k < checkpoint.logs ? checkpoint.lengths[k]! : 0;
      for (let i = log.length - 1; i >= from; i--) {
        revert(log, i);
        const object = log.objectAt(i);
        if (object !== undefined) reverted.push(object);
      }
      log.truncate(from);
    }
    this.logs.length = checkpoint.logs;
    for (const log of checkpoint.current) this.logByPrototype.set(log.plan.prototype, log);
    this.migratedCount = checkpoint.migrated;
    this.marks.reopen(checkpoint.marks, reverted, since);
    for (const object of checkpoint.built) this.marks.markBuilt(object, true);
    if (checkpoint.built.length > 0) this.builtBranded = true;
    this.install();
    this.onReopen?.();
  }

  /** Whether guards are installed (some objects may still have the old layout). */
  get pendingPossible(): boolean {
    return this.guarded;
  }

  /**
   * Whether `object` is on the new layout, for a rollback or a hook witness
   * (commit.ts), which may rewrite objects next: the brands go first, into
   * the set (see settleBrands).
   */
  isMigrated(object: object): boolean {
    this.settleMarks();
    this.marks.settleBrands();
    if (this.builtBranded) this.marks.unbrandBuilt(object, true);
    return this.marks.has(object) || this.builtSince(object);
  }

  /** `isMigrated`, taking no brand off: for a look that must change nothing (a rollback's check). */
  isMigratedAsIs(object: object): boolean {
    this.settleMarks();
    return this.marks.has(object) || this.marks.brand.has(object) || this.builtSince(object);
  }

  /** Built since the commit outside the handles, on the new layout (builtSince.ts). */
  private builtSince(object: object): boolean {
    const log = this.logByPrototype.get(getPrototypeOf(object) as object);
    return log !== undefined && builtOnNewLayout(object, log.plan);
  }

  /** See LazyMarks.allVisited (the sweep). */
  allVisited(): void {
    this.marks.allVisited();
  }

  /** Takes brands off until `deadline` (performance.now()); true when none is left. */
  unbrandUntil(deadline: number): boolean {
    return this.marks.unbrandUntil(deadline);
  }

  /** Installs the guards (inside the commit); `uninstall` undoes a partial install. */
  install(): void {
    // The guard runs on every call while installed: it closes over the set
    // itself rather than reaching it through `this`.
    const migrated = this.marks.set;
    // Built by the new version, on its layout: branded, as a first touch
    // brands what it migrates, so that the guards pass it on their fast path
    // — except while the sweep or a completion runs, which take brands off
    // only from the objects they found (lazyBrand.ts brandBuilt), and off the
    // class prototype (a release's own home, a mixin), where a rollback
    // rewrites objects without asking whether they are migrated.
    const built = (prototype: object) => (object: object) => {
      const brand = !this.sweeping && !this.completing && getPrototypeOf(object) === prototype;
      if (brand) this.builtBranded = true;
      this.marks.markBuilt(object, brand);
    };
    for (const plan of this.plans) {
      this.undos.push(
        installLazyGuards(
          plan.prototype,
          this.marks.brand,
          migrated,
          this.migrateUnmarked,
          () => this.failure,
        ),
      );
      this.undos.push(observeConstruction(plan.handle, built(plan.prototype)));
      // And known as new while its constructor runs, before the observer sees it.
      this.undos.push(watchConstruction(plan.handle));
    }
    this.guarded = this.plans.length > 0;
    if (this.guarded) {
      active.set(this.namespace, this);
      setMigratingProbe(this.namespace, this.migratingNow);
    }
  }

  uninstall(): void {
    this.guarded = false;
    for (let i = this.undos.length - 1; i >= 0; i--) this.undos[i]!();
    this.undos.length = 0;
    // No guard is left to ask: the objects go back to their hidden class
    // without the brand (a rollback has already moved them into the set).
    this.marks.unbrand();
    if (active.get(this.namespace) === this) active.delete(this.namespace);
    clearMigratingProbe(this.namespace, this.migratingNow);
  }

  /** What is being migrated right now, for the nested-update check (exclusive.ts). */
  private readonly migratingNow = (): string | undefined =>
    this.inProgress.length > 0 || this.bulk !== null
      ? `the lazy migration of update ${this.patch}`
      : undefined;

  /** Removes the guards once no old-layout object is left (or the update is rolled back). */
  release(): void {
    if (this.guarded) this.uninstall();
    else if (active.get(this.namespace) === this) active.delete(this.namespace);
  }

  /** Prototypes reached with no log that need none (`belowMigrating`). */
  private readonly homesChecked = new WeakSet<object>();

  /**
   * The new state may be built on a copy that is on the class prototype: a
   * migrator calling a method on it must not migrate it in turn.
   */
  private readonly onCopy = (copy: object): void => {
    this.marks.set.add(copy);
  };

  /**
   * Migrates one object if it is still on the old layout. Returns false when
   * it could not be migrated and the update was rolled back instead.
   */
  readonly migrateOne = (object: object): boolean => this.migrate(object, false, false);

  /** What a guard calls once it has seen that `object` is not marked (no second look at the set). */
  private readonly migrateUnmarked = (object: object): boolean => this.migrate(object, false, true);

  /**
   * `inBulk`: one of many (the sweep), marked where marking does not block
   * (migratedSet.ts). `unmarked`: the caller has just seen that the object
   * is not marked, and no code ran since.
   */
  private migrate(object: object, inBulk: boolean, unmarked: boolean): boolean {
    if (this.failure) {
      // The guards are still in: the member "after the rollback" is the guard again.
      if (this.rollbackFailure) throw this.rollbackFailure;
      return false;
    }
    if (!this.guarded || this.marks.allMigrated) return true;
    // A Proxy is never migrated, marked or logged: see throughProxy. Asked
    // at a guard only (40–120 ns a call, measured under load): the sweep's
    // and the completion's objects come from the finder, instances and not
    // proxies of them (one a constructor returned is the instance itself).
    if (!inBulk && isProxy(object)) return this.throughProxy(object);
    // Its own rewrite calling one of its methods (`this.makeHandler()`, an
    // initialiser computed again on the object: thisCapture.ts), or the
    // rewrite of another one that its own started (a getter of each
    // touching the other): it is being migrated, not again.
    if (this.beingMigrated(object)) return true;
    // A guard reached inside a bulk pass: its objects carry no mark, and one
    // on the new layout was migrated by it (lazyBulk.ts); the others are
    // migrated here, and the pass then leaves them alone.
    const bulk = this.bulk;
    if (bulk !== null && getPrototypeOf(object) === bulk.prototype && onNewLayout(object, bulk)) {
      return true;
    }
    // A guard reached during `complete()`: the objects it migrated are not
    // marked yet, and this one may be among them.
    if (this.unmarkedFrom !== null) {
      this.settleMarks();
      unmarked = false;
    }
    if (!unmarked && this.marks.has(object)) return true;
    let log = this.logByPrototype.get(Object.getPrototypeOf(object));
    if (!log) return this.belowMigrating(object);
    // A class's prototype as the receiver (`String(Sub.prototype)` on a
    // subclass of a migrating class) is no instance: rewritten as one, it
    // got the migrators' output (a stray own field), or a migrator refusing
    // its missing fields rolled the update back. Eager leaves it too.
    if (isPrototypeObject(object)) return true;
    // Being built by the new version: its constructor (or a field
    // initialiser) called one of its methods (pendingConstruction.ts).
    if (isBeingInitialised(object) || underConstruction(object, log.plan.prototype)) return true;
    if (builtOnNewLayout(object, log.plan)) {
      this.marks.set.add(object);
      return true;
    }
    if (log.length >= SEGMENT) log = this.nextSegment(log.plan);
    if (!this.rewrite(object, log)) {
      const abandoned = this.takeAbandoned();
      if (abandoned) throw abandoned;
      return false;
    }
    this.marks.mark(object, log, inBulk);
    return true;
  }

  /**
   * A guard reached through a Proxy of an instance (Vue's `reactive()`, a
   * membrane): which object it stands for cannot be known, so every pending
   * object migrates now, as `completeMigration()` migrates them, and the
   * call then runs the new member on an object migrated once. A failure
   * rolls back as a failed first touch does (false, or the abandoned error
   * when new code runs above). Once objects are stranded (the update
   * permanent) only they are tried again, and while one is left the call
   * throws its error: the proxy may stand for it.
   */
  private throughProxy(proxy: object): boolean {
    if (this.inProgress.length > 0 || this.bulk !== null || this.unmarkedFrom !== null) {
      throw new MigrationError(
        `a method update ${this.patch} guards was called through a Proxy while ${this.busyWith} was running (from a migrator, an initialiser or a getter it reads): which object the Proxy stands for cannot be known, and the rest of the migration cannot run from inside it`,
        { patch: this.patch, object: proxy, during: this.during },
      );
    }
    if (this.strandedRefs.size === 0) this.complete(this.during);
    else this.retryStranded();
    if (this.failure) {
      const abandoned = this.takeAbandoned();
      if (abandoned) throw abandoned;
      return false;
    }
    const stranded = this.strandedNow;
    if (stranded.length > 0) throw stranded[0]!.error;
    return true;
  }

  /** Tries each stranded object again (`strand`); the guards go once none is left. */
  private retryStranded(): void {
    for (const { object } of this.strandedNow) {
      try {
        if (!this.migrate(object, false, false)) return;
      } catch (error) {
        if (!this.isStranding(error)) throw error;
      }
    }
    if (this.strandedNow.length === 0) this.complete(this.during);
  }

  /** A new log for `plan`'s objects migrated one at a time (see logByPrototype). */
  private nextSegment(plan: Plan): MigrationLog {
    const log = batchLog(plan, SEGMENT);
    this.logs.push(log);
    this.logByPrototype.set(plan.prototype, log);
    return log;
  }

  /**
   * A migration that failed once the update is permanent: nothing can be
   * rolled back any more (the running versions' history is gone, and a
   * rollback then left the namespace unusable), so the object stays on its
   * old layout, pending, its guards in place, and the call that reached it
   * throws this; the other objects go on. `completeMigration()` and the sweep
   * report it among the failures, and a later update is refused until it
   * can be migrated.
   */
  private strand(
    object: object,
    plan: Plan,
    error: unknown,
    why = `update ${this.patch} is permanent`,
  ): MigrationError {
    const cause = error instanceof MetamorphError ? error : undefined;
    const stranded = new MigrationError(
      `${why}, and migrating a ${plan.className} object (${this.during}) failed: ${(error as Error)?.message ?? String(error)}; the object stays on the old layout, and each call that reaches it throws this until its migration succeeds`,
      {
        ...(cause?.details ?? {}),
        patch: this.patch,
        className: plan.className,
        object,
        during: this.during,
        cause: error,
      },
    );
    if (!this.stranded.has(object)) this.strandedRefs.add(new WeakRef(object));
    this.stranded.set(object, stranded);
    this.strandings.add(stranded);
    return stranded;
  }

  /** The objects `strand` left on the old layout, and why, if they still are (each is tried again when reached). */
  get strandedNow(): { object: object; error: MigrationError }[] {
    const now: { object: object; error: MigrationError }[] = [];
    for (const ref of this.strandedRefs) {
      const object = ref.deref();
      const error = object === undefined ? undefined : this.stranded.get(object);
      if (error === undefined) this.strandedRefs.delete(ref);
      else now.push({ object: object!, error });
    }
    return now;
  }

  /** Whether `error` is what `strand` threw: the sweep and the completion go on past that object. */
  private isStranding(error: unknown): boolean {
    return (
      this.strandedRefs.size > 0 && error instanceof MigrationError && this.strandings.has(error)
    );
  }

  private beingMigrated(object: object): boolean {
    const steps = this.inProgress;
    for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.object === object) return true;
    return false;
  }

  /**
   * An object reached through a guard with no log of its own: of a class
   * that is not migrating (true), delegating to another object (which is
   * migrated, see below), or of a subclass the namespace does not manage
   * below a migrating one, whose old fields no migration rewrites
   * (unmanagedSubclasses.ts): the update rolls back (false, or the
   * abandoned error when new code is running above).
   */
  private belowMigrating(object: object): boolean {
    const home = getPrototypeOf(object) as object | null;
    if (home === null || this.homesChecked.has(home)) return true;
    // `object` delegates to another object (`Object.create(account)`, a
    // draft whose reads fall through): what it reads is that one's, which is
    // migrated now, as the object itself would be at its own call. Answered
    // "migrated" instead, it ran the new code over the old fields of the
    // pending instance it stands for (review advZ19). Not remembered among
    // the homes checked: that instance may be pending again (a reopen).
    if (!isPrototypeObject(home) && !isMixin(home)) return this.migrate(home, false, false);
    let log: MigrationLog | undefined;
    for (let p = getPrototypeOf(home) as object | null; p !== null && !log; p = getPrototypeOf(p))
      log = this.logByPrototype.get(p);
    if (!log || !isUnmanagedHome(home, managedHomes(this.namespace))) {
      this.homesChecked.add(home);
      return true;
    }
    // Built after the commit by the new version's constructor: nothing to migrate.
    if (hasNewLayout(object, log.plan)) return true;
    const { className } = log.plan;
    this.fail(object, log.plan, unmanagedSubclassError(className, home, 1, "reached"));
    const abandoned = this.takeAbandoned();
    if (abandoned) throw abandoned;
    return false;
  }

  /**
   * Migrates `object`, known to be unmigrated and on `log`'s class
   * prototype, appending it to `log`; does not mark it. False when it could
   * not be migrated and the update was rolled back instead.
   */
  private rewrite(object: object, log: MigrationLog): boolean {
    const plan = log.plan;
    const compiled = log.compiled;
    const step: Rewriting = { object, log, at: log.length, applied: false };
    this.inProgress.push(step);
    try {
      if (!Object.isExtensible(object)) {
        throw new UnswappableObjectError(
          `${plan.className} instance #${this.migratedCount} is not extensible (frozen, sealed or preventExtensions) and cannot be migrated in place`,
          { className: plan.className, object },
        );
      }
      refuseHiddenStateOf(plan, object, this.migratedCount);
      // Its position is known once it is prepared: code it runs (a migrator,
      // or a getter it reads) may touch another pending object, migrated first.
      // (No closure on the compiled path: a first touch runs this alone.)
      step.at =
        compiled.runsUserCode || !compiled.fast
          ? whileBusy(this.namespace, this.busyWith, () =>
              log.prepare(object, this.migratedCount, this.onCopy),
            )
          : log.prepare(object, this.migratedCount, this.onCopy);
      // Such a migration failed, and the code swallowed the error: the update
      // is rolled back, this object stays.
      if (this.failure || step.at < 0) return false;
      step.applied = true;
      // Its rewrite may run user code too (an initialiser computed again on the object).
      if (compiled.fast) log.applyAt(step.at);
      else whileBusy(this.namespace, this.busyWith, () => log.applyAt(step.at));
      // As above; `fail` has put the object back.
      if (this.failure) return false;
    } catch (error) {
      // A migration nested in this one failed: `fail` has put this object back.
      // Thrown back to an afterCommit hook (whose rollback waits for it to
      // stop): on to the hook, not on with this object's call, which would
      // run the new method over its old layout.
      if (this.failure) {
        if (causedBy(error, this.failure)) throw this.failure;
        return false;
      }
      // A rewrite that threw part-way (a setter on the way) is undone first.
      if (step.applied) {
        log.revertAt(step.at);
        // Not the last if its rewrite migrated another (reverted again by the rollback, to the same state).
        if (step.at === log.length - 1) log.dropLast();
      }
      this.fail(object, plan, error);
      return false;
    } finally {
      this.inProgress.pop();
    }
    this.migratedCount++;
    if (this.strandedRefs.size > 0) this.stranded.delete(object);
    if (this.forgotten) {
      this.kept.add(log);
      this.letGo();
    }
    return true;
  }

  /**
   * Once the update is permanent nothing rolls it back: what the logs keep
   * for that is let go, objects migrated since included (held there, each
   * stayed alive as long as the update's result). Not while a migration or
   * a completion is under way: they read their positions in the logs.
   */
  private letGo(): void {
    if (this.inProgress.length > 0 || this.unmarkedFrom !== null || this.bulk !== null) return;
    for (const log of this.kept) log.clear();
    this.kept.clear();
  }

  /**
   * Marks what `complete()` migrated so far (log positions from
   * `unmarkedFrom` on) and stops deferring: a guard, a rollback or a count
   * is about to look at the marks.
   */
  private settleMarks(): void {
    const from = this.unmarkedFrom;
    if (from === null) return;
    this.unmarkedFrom = null;
    // Logs pushed since `unmarkedFrom` was set are unmarked from their start.
    this.logs.forEach((log, k) => {
      for (let i = from[k] ?? 0; i < log.length; i++) {
        const object = log.objectAt(i);
        if (object !== undefined) this.marks.set.addInBulk(object);
      }
    });
  }

  private fail(object: object, plan: Plan, error: unknown): void {
    // A migration that failed inside another object's (its migrator touched
    // it): the update is rolled back already.
    if (this.failure) return;
    // Objects whose migration this one is nested in (a migrator or an
    // initialiser touched this object), already rewritten: they are not
    // marked, so the rollback would leave them on the new layout.
    for (let i = this.inProgress.length - 1; i >= 0; i--) {
      const { log, at, applied } = this.inProgress[i]!;
      if (applied && log.length > at) log.revertAt(at);
    }
    if (this.forgotten) throw this.strand(object, plan, error);
    // (The rollback that follows takes the brands off, once it has looked at
    // the objects: it may be refused, with nothing changed.)
    const cause = error instanceof MetamorphError ? error : undefined;
    const message = (error as Error)?.message ?? String(error);
    this.failure = new MigrationError(
      `update ${this.patch} was rolled back: migrating a ${plan.className} object (${this.during}) failed: ${message}`,
      {
        ...(cause?.details ?? {}),
        patch: this.patch,
        className: plan.className,
        object,
        migrators: plan.migrators.map((m) => m.name || "(anonymous migrator)"),
        during: this.during,
        cause: error,
      },
    );
    // Read before the rollback: the namespace still holds the new versions.
    const running = this.during === "first-touch" ? this.newCodeRunning() : undefined;
    try {
      this.onFailure?.(this.failure, this.during);
    } catch (error) {
      // Thrown back on purpose (an afterCommit hook's touch: phases/commit.ts
      // rolls back once the hook has stopped), not a rollback that failed.
      if (error === this.failure) throw error;
      // Refused before anything changed (an object locked since it migrated):
      // the update goes on, as a permanent one does, without this object.
      if (error instanceof RollbackError) {
        const failed = this.failure;
        this.failure = undefined;
        throw this.strand(
          object,
          plan,
          failed.details.cause,
          `update ${this.patch} cannot be rolled back (${error.message})`,
        );
      }
      // Every call that reaches a guard now throws this, rather than recurse
      // through guards a rollback should have taken out.
      this.rollbackFailure = new MigrationError(
        `${this.failure.message}; rolling the update back then failed (${(error as Error)?.message ?? String(error)}): the objects are not all as they were`,
        { ...this.failure.details, rollback: error },
      );
      throw this.rollbackFailure;
    }
    if (running !== undefined) this.abandoned = this.abandonedBy(running);
    const above =
      this.during === "first-touch" && this.inProgress.length > 1
        ? this.newCodeRunning(true)
        : running;
    if (above !== undefined) this.abandonedAbove = this.abandonedBy(above);
  }

  private abandonedBy(running: string): MigrationError {
    return new MigrationError(
      `${this.failure!.message}; the call that touched it was abandoned, because new code of the update (${running}) was running and cannot go on over objects back on the old version`,
      { ...this.failure!.details, abandoned: running },
    );
  }

  /**
   * The error a failed first touch throws to the code that touched the
   * object, if new code of the update runs above it. A nested touch (a
   * migrator or an initialiser of another object touched it) throws what
   * runs above it, the migration's own new code included (an initialiser
   * calling a new method); the outermost one only what runs above the
   * whole migration: a migrator that caught the nested error, or threw
   * another, let the outermost touch answer false, and new code of the
   * program (`List.join`) went on over objects back on the old layout
   * (review fixY1).
   */
  private takeAbandoned(): MigrationError | undefined {
    if (this.inProgress.length > 0) {
      const abandoned = this.abandoned;
      this.abandoned = undefined;
      return abandoned;
    }
    const above = this.abandonedAbove;
    this.abandoned = this.abandonedAbove = undefined;
    return above;
  }

  /**
   * The new-version code running above the failing guard, if any ("unknown"
   * without a stack). Never throws: the rollback comes next.
   */
  private newCodeRunning(outermost = false): string | undefined {
    try {
      const frames = callersOfGuard(outermost);
      if (frames === undefined) return "unknown: no call stack could be read here";
      return newCodeFrame(this.namespace, this.changed, frames);
    } catch {
      return "unknown: the call stack could not be read";
    }
  }

  /** The objects of `plan`'s class still on the old layout. */
  unmigrated(plan: Plan): object[] {
    return this.withoutMigrated(this.namespace.finder.find(plan.prototype));
  }

  /**
   * `unmigrated` for every plan, in plan order, with one heap query for all
   * of them where the finder queries the heap (each query is a full
   * collection and a walk over the whole heap, whatever it matches).
   */
  unmigratedEach(): object[][];
  /**
   * And, where the heap query met an object of a subclass the namespace
   * does not manage below a migrating class (unmanagedSubclasses.ts), the
   * update rolls back instead (null), failing `during` that.
   */
  unmigratedEach(failDuring: FailedDuring): object[][] | null;
  unmigratedEach(failDuring?: FailedDuring): object[][] | null {
    const finder = this.namespace.finder;
    if (finder.kind !== "heap" || !("findEach" in finder)) {
      return this.plans.map((plan) => this.unmigrated(plan));
    }
    const below = failDuring ? new Map<object, object[]>() : undefined;
    const found = (finder as HeapFinder).findEach(
      [...new Set(this.plans.map((plan) => plan.prototype))],
      below,
    );
    if (below !== undefined && !this.noneBelow(below, failDuring!)) return null;
    return this.plans.map((plan) => this.withoutMigrated(found.get(plan.prototype) ?? []));
  }

  /** False, having rolled the update back, if `below` holds an unmigrated object of an unmanaged subclass. */
  private noneBelow(below: ReadonlyMap<object, readonly object[]>, during: FailedDuring): boolean {
    const migrating = new Map(this.plans.map((plan) => [plan.prototype, plan.className]));
    const planAt = new Map(this.plans.map((plan) => [plan.prototype, plan] as const));
    // Those built after the commit by the new version's constructor are not pending.
    const pending = new Map(
      [...below].map(([p, objects]) => {
        const plan = planAt.get(p);
        const left = this.withoutMigrated([...objects]);
        return [p, plan ? left.filter((o) => !hasNewLayout(o, plan)) : left] as const;
      }),
    );
    const found = unmanagedBelow(this.namespace, migrating, pending);
    if (found === undefined) return true;
    const plan = this.plans.find((p) => p.className === found.className)!;
    const error = unmanagedSubclassError(found.className, found.home, found.count, "pending");
    const outer = this.during;
    this.during = during;
    try {
      this.fail(found.object, plan, error);
    } finally {
      this.during = outer;
    }
    return false;
  }

  private withoutMigrated(objects: object[]): object[] {
    this.settleMarks();
    const { marks } = this;
    let kept = 0;
    for (let i = 0; i < objects.length; i++) {
      const object = objects[i]!;
      if (!marks.has(object) && !this.builtSince(object)) objects[kept++] = object;
      else if (this.builtBranded) this.foundBuilt(object);
    }
    objects.length = kept;
    return objects;
  }

  /**
   * `object`, found marked by a search, may carry a brand given at its
   * construction: the sweep (which brands nothing at construction, and ends
   * without searching again) takes it off now, marking the object in the
   * set; a completion lists it, to take it off with the guards.
   */
  private foundBuilt(object: object): void {
    if (!this.marks.builtBrand(object)) return;
    if (this.sweeping) this.marks.unbrandBuilt(object, true);
    else this.builtFound?.push(object);
  }

  pending(): number {
    return this.guarded ? this.unmigratedEach().reduce((n, list) => n + list.length, 0) : 0;
  }

  progress(): LazyCompletion {
    return {
      migrated: this.migratedCount,
      failed: this.failure
        ? [{ object: this.failure.details.object as object, error: this.failure }]
        : this.strandedNow,
    };
  }

  /** Migrates `object` as part of the sweep (false: the update was rolled back). */
  sweepOne(object: object): boolean {
    if (this.builtBranded && this.marks.builtBrand(object)) {
      this.marks.unbrandBuilt(object, true); // see foundBuilt
      return true;
    }
    // Not through `migrating`: no closure per object of the sweep.
    const outer = this.during;
    this.during = "sweep";
    try {
      return this.migrate(object, true, false);
    } catch (error) {
      if (this.isStranding(error)) return true;
      throw error;
    } finally {
      this.during = outer;
    }
  }

  /**
   * Migrates every pending object now; the guards go. A failure rolls the
   * update back, failing `during` that (a first touch through a Proxy).
   */
  complete(during: FailedDuring = "complete"): LazyCompletion {
    const running = this.migratingNow();
    if (running !== undefined) {
      throw new NestedUpdateError(
        `completeMigration() of update ${this.patch} was called while ${running} was running (from a migrator, an initialiser or a getter it reads); call it after`,
        { patch: this.patch },
      );
    }
    this.migrating(during, () => {
      if (!this.guarded) return;
      if (this.marks.allMigrated) {
        this.release(); // the brands the sweep had not taken off yet go at once
        return;
      }
      this.completing = true;
      this.builtFound = this.builtBranded ? [] : null;
      try {
        // A stranded object (`strand`) keeps its guards.
        if (this.completeEach() && this.strandedNow.length === 0) {
          this.release();
          this.unbrandFound();
        }
      } finally {
        this.completing = false;
        this.builtFound = null;
        this.checkpointBuilt = null;
        if (this.unmarkedFrom !== null) {
          if (this.guarded) this.settleMarks();
          else this.unmarkedFrom = null;
        }
      }
    });
    if (this.forgotten) {
      for (const log of this.logs) if (log.length > 0) this.kept.add(log);
      this.letGo();
    }
    const progress = this.progress();
    if (this.failure) return progress;
    if (this.holding) this.held = progress;
    else this.onComplete?.(progress);
    return progress;
  }

  /** `complete()` for a later update, which tells the completion once it commits (`tellHeld`). */
  completeHeld(): void {
    this.holding = true;
    try {
      this.complete();
    } finally {
      this.holding = false;
    }
  }

  /** The later update that completed this one committed: its completion stands, and is told. */
  tellHeld(): void {
    const held = this.held;
    this.held = null;
    if (held !== null) this.onComplete?.(held);
  }

  /**
   * Takes off, the guards gone, the brands of the objects built since the
   * commit that the completion's search met (foundBuilt). A later update
   * that completed this one may reopen it: they are marked in the set then,
   * as pending they would be migrated again.
   */
  private unbrandFound(): void {
    const found = this.builtFound;
    if (found === null) return;
    const kept = this.checkpointBuilt;
    for (let i = 0; i < found.length; i++) {
      if (this.marks.unbrandBuilt(found[i]!, this.checkpointed)) kept?.push(found[i]!);
    }
    this.builtBranded = false;
  }

  /**
   * Migrates every pending object, plan by plan: in bulk where the registry
   * lists them and the plan allows it (lazyBulk.ts), one by one otherwise.
   * False when the update was rolled back instead.
   */
  private completeEach(): boolean {
    const finder = this.namespace.finder;
    const registry = finder.kind === "registry" ? (finder as RegistryFinder) : null;
    const inBulk = this.plans.map(bulkEligible);
    // Found before anything migrates (one heap query for every plan); with
    // the registry a bulk pass reads its own list when its turn comes.
    let lists: (object[] | null)[] | null;
    try {
      lists = registry
        ? this.plans.map((plan, k) => (inBulk[k] ? null : this.unmigrated(plan)))
        : this.unmigratedEach("complete");
    } catch (error) {
      return this.unreadableFound(error);
    }
    if (lists === null) return false;
    this.unmarkedFrom = this.logs.map((log) => log.length);
    for (let k = 0; k < this.plans.length; k++) {
      const plan = this.plans[k]!;
      const list = lists[k] ?? null;
      let pending: [object[], object[]] | undefined;
      try {
        if (inBulk[k] && list === null) pending = this.pendingInRegistry(plan, registry!);
      } catch (error) {
        return this.unreadableFound(error, plan);
      }
      const done = !inBulk[k]
        ? this.completeAll([plan], [list!])
        : pending !== undefined
          ? this.completeInBulk(plan, ...pending)
          : this.completeInBulk(
              plan,
              list!.filter((o) => getPrototypeOf(o) === plan.prototype),
              list!.filter((o) => getPrototypeOf(o) !== plan.prototype),
            );
      if (!done) return false;
    }
    return true;
  }

  /**
   * A look for the pending objects (the finder's lists, the registry's
   * references) met one it could not read: a Proxy whose trap threw (a
   * revoked one is passed over, dead, as the sweep passes it). It cannot be
   * migrated, so the update rolls back, failing `during` (as the look's
   * caller is failing, by default) as a failed migration does, and the call
   * that looked goes on as after one (false) — a touch through another
   * Proxy threw the program's trap error, or this refusal, with the update
   * left pending and every later such touch throwing again. Anything else
   * is thrown on.
   */
  unreadableFound(error: unknown, plan?: Plan, during = this.during): boolean {
    if (!(error instanceof MetamorphError) || error.details.rule !== "unreadable") throw error;
    const { className, object } = error.details as { className?: string; object?: object };
    const failed = plan ?? this.plans.find((p) => p.className === className) ?? this.plans[0]!;
    this.migrating(during, () => this.fail(object ?? failed.prototype, failed, error));
    const abandoned = this.takeAbandoned();
    if (abandoned) throw abandoned;
    return false;
  }

  /**
   * `plan`'s pending objects in the registry's list (each once, unless
   * `record` listed it twice), and those a per-object mixin holds, which
   * the guards' path refuses (unmanagedSubclasses.ts).
   */
  private pendingInRegistry(plan: Plan, registry: RegistryFinder): [object[], object[]] {
    const marks = this.marks;
    const strays: object[] = [];
    const pending = pendingIn(
      registry.snapshot(plan.prototype),
      plan.prototype,
      (object) => {
        if (!marks.has(object)) return builtOnNewLayout(object, plan);
        if (this.builtBranded) this.foundBuilt(object);
        return true;
      },
      strays,
    );
    return [pending, strays];
  }

  /**
   * Migrates `pending` (on `plan`'s prototype) in bulk, then `others` (and
   * what the pass left to them) one by one.
   */
  private completeInBulk(plan: Plan, pending: object[], others: object[]): boolean {
    let result: ReturnType<typeof migrateInBulk>;
    this.bulk = plan;
    try {
      result = migrateInBulk(plan, pending);
    } catch (error) {
      if (!(error instanceof BulkFailure)) throw error;
      this.fail(error.object, plan, error.error);
      return false;
    } finally {
      this.bulk = null;
    }
    if (this.failure) {
      // A guard reached meanwhile failed and rolled the update back: the
      // objects of the pass were not in its logs yet.
      for (let i = result.log.length - 1; i >= 0; i--) result.log.revertAt(i);
      return false;
    }
    this.logs.push(result.log);
    this.migratedCount += result.log.length;
    const rest = others.concat(result.others, this.leftOnNewLayout(result));
    if (rest.length === 0) return true;
    // Listed once each: an object listed twice would be migrated twice.
    return this.completeAll([plan], [[...new Set(rest)]]);
  }

  /**
   * The objects a bulk pass found on the new layout that neither it nor a
   * guard migrated: old ones the program gave that layout, which migrate
   * one by one (logged, so that a rollback gives them exactly their state,
   * not the defaults of an object built since).
   */
  private leftOnNewLayout({ log, onNew }: ReturnType<typeof migrateInBulk>): object[] {
    if (onNew.length === 0) return onNew;
    const rewritten = new Set(log.objects);
    const marks = this.marks;
    return onNew.filter((object) => !rewritten.has(object) && !marks.has(object));
  }

  /**
   * Migrates `lists` (one per plan of `plans`); false when the update was
   * rolled back instead. The objects are not
   * marked one by one — a WeakSet entry costs about as much as the rewrite
   * itself, and once `complete()` is done no guard is left to ask: what the
   * logs hold from `unmarkedFrom` on is marked at once if a guard runs
   * meanwhile (user code reached from a setter, a getter or a general-path
   * migrator), and from then on each object is looked up again before it
   * migrates, since that code may have migrated a later object of the list
   * through its guard (migrating it twice would read the new layout as the
   * old one).
   */
  private completeAll(plans: readonly Plan[], lists: readonly object[][]): boolean {
    const batches = plans.map((plan, k) => batchLog(plan, lists[k]!.length));
    this.logs.push(...batches);
    for (let k = 0; k < lists.length; k++) {
      const list = lists[k]!;
      const log = batches[k]!;
      const prototype = log.plan.prototype;
      for (let i = 0; i < list.length; i++) {
        const object = list[i]!;
        const deferred = this.unmarkedFrom !== null && Object.getPrototypeOf(object) === prototype;
        let ok: boolean;
        try {
          ok = deferred ? this.rewrite(object, log) : this.migrate(object, true, false);
        } catch (error) {
          if (!this.isStranding(error)) throw error;
          continue; // left on the old layout, unmarked
        }
        if (!ok) return false;
        // A guard reached during its rewrite (a getter touching another
        // pending object), or a rollback's look at the objects, settled the
        // marks before it joined the log.
        if (deferred && this.unmarkedFrom === null) this.marks.mark(object, log, true);
      }
    }
    return true;
  }

  private migrating<T>(during: FailedDuring, body: () => T): T {
    const outer = this.during;
    this.during = during;
    try {
      return body();
    } finally {
      this.during = outer;
    }
  }
}

/** Whether `failure` is `error` or in its chain of causes (a migrator's error wraps what it met). */
function causedBy(error: unknown, failure: Error): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 16; depth++) {
    if (e === failure) return true;
    e = e instanceof MetamorphError ? e.details.cause : e instanceof Error ? e.cause : undefined;
  }
  return false;
}
