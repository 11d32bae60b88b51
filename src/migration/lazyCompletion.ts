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
import { MetamorphError, MigrationError, UnswappableObjectError } from "../errors.js";
import type { Undo } from "../mop/classHandle.js";
import { observeConstruction } from "../mop/classHandle.js";
import type { Namespace } from "../namespace/namespace.js";
import { whileBusy } from "./exclusive.js";
import { installLazyGuards } from "./lazyMigration.js";
import { MigratedSet } from "./migratedSet.js";
import type { Plan } from "./migrationPlan.js";
import { MigrationLog } from "./migrationLog.js";
import type { LazyCompletion } from "./types.js";

/** Where a lazy migration failed. */
export type FailedDuring = "first-touch" | "sweep" | "complete";

const active = new WeakMap<Namespace, LazyMigration>();

/**
 * Completes the namespace's lazy update in progress, if any. If it cannot
 * complete, it is rolled back and the new update is refused: it was written
 * for the version that no longer runs.
 */
export function completeEarlierUpdate(namespace: Namespace, patch: string): void {
  const earlier = active.get(namespace);
  if (!earlier) return;
  earlier.complete();
  if (earlier.failure) {
    throw new MigrationError(
      `update ${patch} was not applied: the earlier lazy update ${earlier.patch} could not complete and was rolled back (${earlier.failure.message})`,
      { ...earlier.failure.details, patch, earlier: earlier.patch, cause: earlier.failure },
    );
  }
}

export class LazyMigration {
  /** Objects already on the new layout (migrated, or built after the commit). */
  private readonly migrated = new MigratedSet();
  private readonly undos: Undo[] = [];
  private readonly logByPrototype: ReadonlyMap<object, MigrationLog>;
  private guarded = false;
  /** Migrations done since the commit, per plan (kept for rollback until the update is permanent). */
  readonly logs: readonly MigrationLog[];
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

  constructor(
    readonly namespace: Namespace,
    readonly patch: string,
    readonly plans: readonly Plan[],
  ) {
    this.logs = plans.map((p) => new MigrationLog(p, p.compiled));
    this.logByPrototype = new Map(this.logs.map((log) => [log.plan.prototype, log]));
    this.busyWith = `the lazy migration of ${patch}`;
  }

  /** Forgets what a rollback would need (the update became permanent or was rolled back). */
  forget(): void {
    for (const log of this.logs) log.clear();
  }

  /** Whether guards are installed (some objects may still have the old layout). */
  get pendingPossible(): boolean {
    return this.guarded;
  }

  isMigrated(object: object): boolean {
    return this.migrated.has(object);
  }

  /** Installs the guards (inside the commit); `uninstall` undoes a partial install. */
  install(): void {
    // The guard runs on every call while installed: it closes over the set
    // itself rather than reaching it through `this`.
    const migrated = this.migrated;
    for (const plan of this.plans) {
      this.undos.push(installLazyGuards(plan.prototype, migrated, this.migrateUnmarked));
      this.undos.push(observeConstruction(plan.handle, (o) => migrated.add(o)));
    }
    this.guarded = this.plans.length > 0;
    if (this.guarded) active.set(this.namespace, this);
  }

  uninstall(): void {
    this.guarded = false;
    for (let i = this.undos.length - 1; i >= 0; i--) this.undos[i]!();
    this.undos.length = 0;
    if (active.get(this.namespace) === this) active.delete(this.namespace);
  }

  /** Removes the guards once no old-layout object is left (or the update is rolled back). */
  release(): void {
    if (this.guarded) this.uninstall();
    else if (active.get(this.namespace) === this) active.delete(this.namespace);
  }

  /**
   * Migrates one object if it is still on the old layout. Returns false when
   * it could not be migrated and the update was rolled back instead.
   */
  /**
   * The new state may be built on a copy that is on the class prototype: a
   * migrator calling a method on it must not migrate it in turn.
   */
  private readonly onCopy = (copy: object): void => {
    this.migrated.add(copy);
  };

  readonly migrateOne = (object: object): boolean => this.migrate(object, false, false);

  /** What a guard calls once it has seen that `object` is not marked (no second look at the set). */
  private readonly migrateUnmarked = (object: object): boolean => this.migrate(object, false, true);

  /**
   * `inBulk`: one of many (sweep, completion), marked where marking does not
   * block (migratedSet.ts). `unmarked`: the caller has just seen that the
   * object is not marked, and no code ran since.
   */
  private migrate(object: object, inBulk: boolean, unmarked: boolean): boolean {
    if (this.failure) return false;
    if (!this.guarded || (!unmarked && this.migrated.has(object))) return true;
    const log = this.logByPrototype.get(Object.getPrototypeOf(object));
    if (!log) return true;
    const plan = log.plan;
    let prepared = false;
    try {
      if (!Object.isExtensible(object)) {
        throw new UnswappableObjectError(
          `${plan.className} instance #${this.migratedCount} is not extensible (frozen, sealed or preventExtensions) and cannot be migrated in place`,
          { className: plan.className, object },
        );
      }
      if (log.compiled.runsUserCode || !log.compiled.fast) {
        whileBusy(this.namespace, this.busyWith, () =>
          log.prepare(object, this.migratedCount, this.onCopy),
        );
      } else log.prepare(object, this.migratedCount);
      prepared = true;
      log.applyAt(log.length - 1);
    } catch (error) {
      // A rewrite that threw part-way (a setter on the way) is undone first.
      if (prepared) {
        log.revertAt(log.length - 1);
        log.dropLast();
      }
      this.fail(object, plan, error);
      return false;
    }
    if (inBulk) this.migrated.addInBulk(object);
    else this.migrated.add(object);
    this.migratedCount++;
    return true;
  }

  private fail(object: object, plan: Plan, error: unknown): void {
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
    this.onFailure?.(this.failure, this.during);
  }

  unmigrated(plan: Plan): object[] {
    return this.namespace.finder.find(plan.prototype).filter((o) => !this.migrated.has(o));
  }

  pending(): number {
    return this.guarded ? this.plans.reduce((n, p) => n + this.unmigrated(p).length, 0) : 0;
  }

  progress(): LazyCompletion {
    return {
      migrated: this.migratedCount,
      failed: this.failure
        ? [{ object: this.failure.details.object as object, error: this.failure }]
        : [],
    };
  }

  /** Migrates `object` as part of the sweep (false: the update was rolled back). */
  sweepOne(object: object): boolean {
    return this.migrating("sweep", () => this.migrate(object, true, false));
  }

  /** Migrates every pending object now; the guards go. A failure rolls the update back. */
  complete(): LazyCompletion {
    this.migrating("complete", () => {
      for (const plan of this.plans) {
        // Each object is looked up again before it migrates: code can run
        // while others migrate (a setter on the prototype hit by a new field's
        // write, a getter on the general path) and migrate a later object of
        // the list through its guard — migrating it twice would read the new
        // layout as the old one. One lookup beside a whole migration.
        for (const object of this.guarded ? this.unmigrated(plan) : []) {
          if (!this.migrate(object, true, false)) return false;
        }
      }
      this.release();
      return true;
    });
    const progress = this.progress();
    if (!this.failure) this.onComplete?.(progress);
    return progress;
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
