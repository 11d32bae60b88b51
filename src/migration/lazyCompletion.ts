/**
 * The state of a lazy or progressive update after its commit: which objects
 * already have the new layout, the guards that migrate the others at first
 * touch (lazyMigration.ts), and completing the migration of whatever is
 * left. One such update at a time per namespace: a later update completes
 * the earlier one first.
 */
import type { Undo } from "../mop/classHandle.js";
import { observeConstruction } from "../mop/classHandle.js";
import type { Namespace } from "../namespace/namespace.js";
import type { PreparedMigration } from "./instanceMigration.js";
import { applyMigration, prepareMigration } from "./instanceMigration.js";
import { installLazyGuards } from "./lazyMigration.js";
import type { Plan } from "./migrationPlan.js";
import type { LazyCompletion } from "./types.js";

const active = new WeakMap<Namespace, LazyMigration>();

/** Completes the namespace's lazy update in progress, if any. */
export function completeEarlierUpdate(namespace: Namespace): void {
  active.get(namespace)?.complete();
}

export class LazyMigration {
  /** Objects already on the new layout (migrated, or built after the commit). */
  private readonly migrated = new WeakSet<object>();
  private readonly undos: Undo[] = [];
  private readonly planByPrototype: ReadonlyMap<object, Plan>;
  private guarded = false;
  /** Migrations done since the commit (kept for rollback until the update is permanent). */
  readonly done: PreparedMigration[] = [];
  readonly failures: { object: object; error: unknown }[] = [];

  constructor(
    readonly namespace: Namespace,
    readonly plans: readonly Plan[],
  ) {
    this.planByPrototype = new Map(plans.map((p) => [p.prototype, p]));
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
      this.undos.push(installLazyGuards(plan.prototype, (o) => migrated.has(o), this.migrateOne));
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

  readonly migrateOne = (object: object): void => {
    // Once the guards are gone (completion, rollback, a later update) every
    // object has the new layout: a late sweep must not migrate again.
    if (!this.guarded || this.migrated.has(object)) return;
    const plan = this.planByPrototype.get(Object.getPrototypeOf(object));
    if (!plan) return;
    const p = prepareMigration(object, plan, this.done.length);
    applyMigration(p);
    this.migrated.add(object);
    this.done.push(p);
  };

  /** Migrates one object, recording a failure instead of throwing. */
  tryMigrate(object: object): boolean {
    try {
      this.migrateOne(object);
      return true;
    } catch (error) {
      this.failures.push({ object, error });
      return false;
    }
  }

  unmigrated(plan: Plan): object[] {
    return this.namespace.finder.find(plan.prototype).filter((o) => !this.migrated.has(o));
  }

  pending(): number {
    return this.guarded ? this.plans.reduce((n, p) => n + this.unmigrated(p).length, 0) : 0;
  }

  progress(): LazyCompletion {
    return { migrated: this.done.length, failed: this.failures };
  }

  /** Migrates every pending object now; the guards go when none failed. */
  complete(): LazyCompletion {
    let failedNow = 0;
    for (const plan of this.plans) {
      for (const object of this.guarded ? this.unmigrated(plan) : []) {
        if (!this.tryMigrate(object)) failedNow++;
      }
    }
    // This pass tried every unmigrated object: only those that failed are left
    // (no second enumeration needed to know).
    if (failedNow === 0) this.release();
    return this.progress();
  }
}
