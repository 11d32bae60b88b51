/**
 * What the migration of one class's instances keeps until the update is
 * permanent: the objects in order, and for those on the compiled path their
 * old values and computed values in two flat arrays (struct of arrays: no
 * object per instance survives, so a large update gives the garbage
 * collector nothing to copy); objects on the general path keep their
 * PreparedMigration. Eager updates fill a log in the prepare phase and apply
 * it in the commit; lazy ones append to it as objects migrate.
 */
import type { Carried } from "./carriedState.js";
import type { LeanPlan } from "./compiledLean.js";
import type { CompiledPlan } from "./compiledMigration.js";
import type { ClassMigrationPlan, PreparedMigration } from "./instanceMigration.js";
import {
  applyMigration,
  prepareMigration,
  refuseFixedProperties,
  revertMigration,
  rewriteFields,
} from "./instanceMigration.js";
import type { Plan } from "./migrationPlan.js";
import type { LogArrays } from "./logArrays.js";
import { sized } from "./logArrays.js";
import { BUDGET_STRIDE } from "./budget.js";
import { stillHolds } from "./ownState.js";
import { type HeldContainers, restoreContainers } from "./heldContainers.js";
import type { WeakenedEntries } from "./weakenedLog.js";

/** An object's migration as rollback needs it: old layout and values, and the values installed. */
export interface Retained {
  readonly object: object;
  readonly plan: ClassMigrationPlan;
  readonly oldKeys: readonly string[];
  readonly oldValues: readonly unknown[];
  readonly newValues: readonly unknown[];
  /** Unmanaged own state the migration carried (general path only). */
  readonly carried: Carried | null;
  /** What its fields' containers held before its migration (general path only). */
  readonly containers?: HeldContainers;
}

export type ApplyProgress = { done: number; partial: boolean };

export class MigrationLog {
  /** The objects, in order (an eager update's found list, taken over as it is). */
  objects: object[] = [];
  /** Old values of compiled-path objects: object i's at [i·stride, (i+1)·stride). */
  old: unknown[] = [];
  /** Values user code computed before the commit: object i's at [i·computedCount, …). */
  computed: unknown[] = [];
  /** Objects on the general path, by position in `objects`. */
  readonly general = new Map<number, PreparedMigration>();
  /** Positions of the objects `scan` sent to the general path, ascending (prepared by `computeAll`). */
  readonly generalAt: number[] = [];
  /** Set when `scan` kept no old values (compiledLean.ts): each is read back from its new field. */
  private lean: LeanPlan | undefined;
  /** The array for `computed` allocated before the pause, until `computeAll` takes it. */
  private spareComputed: unknown[] | undefined;
  /** The old values of the object whose rewrite threw (position `partialAt`), if it had started. */
  private readonly partial: unknown[] = [];
  private partialAt = -1;
  /** How many times `clear` ran: a rollback inside `prepare` (a nested migration failed) is seen by it. */
  private cleared = 0;
  private readonly scratch: { old: unknown[]; computed: unknown[] }[] = []; // `prepare`'s, by depth
  private depth = 0;
  /** Set by the side-effect witness (sideEffects.ts `checkAtRewrite`): the rewrite compares each
   * object with the old values `scan` saved, instead of the witness's own pass before the commit. */
  checkedAtRewrite = false;
  /** Set when `scan` left objects that cannot be extended for the rewrite to throw on
   * (compiledLean.ts `scanAddsOnly`): phases/commit.ts reports such an object as the scan would. */
  extensibleUnchecked = false;
  /** Once the pause is over, the objects held weakly (weakenedLog.ts). */
  weak: WeakenedEntries | undefined;

  constructor(
    readonly plan: Plan,
    readonly compiled: CompiledPlan,
  ) {}

  get length(): number {
    return this.weak?.done ? this.weak.refs.length : this.objects.length;
  }

  /** Object i; undefined once the program dropped it (only when weakened). */
  objectAt(i: number): object | undefined {
    return this.weak?.done ? this.weak.objectAt(i) : this.objects[i];
  }

  /** The prepared migration of object i if it took the general path. */
  preparedAt(i: number): PreparedMigration | undefined {
    return this.weak?.done ? this.weak.preparedAt(i) : this.general.get(i);
  }

  /** Every entry is held weakly (weakenedLog.ts): the strong references go. */
  weakened(): void {
    this.objects = [];
    this.general.clear();
  }

  /**
   * An eager update's first pass, before any user code runs: takes `objects` over and saves
   * the old values of those on the compiled path into `old` — the record the side-effect
   * witness compares against and rollback restores from; the others are listed in `generalAt`
   * and prepared by `computeAll`. An object that cannot be extended is passed to `refuse`,
   * which throws. With `prototype` (objects found before the pause), those the program has
   * since moved off it are left out. With `lean`, where the plan allows it and every object
   * takes the compiled path, no old values are kept (compiledLean.ts): the caller guarantees
   * that nothing will need them but a revert inside the same block.
   */
  scan(
    objects: object[],
    refuse: (object: object, index: number) => never,
    prototype: object | null = null,
    lean = false,
    /** Arrays allocated before the pause (phases/find.ts), used where long enough. */
    arrays?: LogArrays,
    /** No code runs between this scan and the rewrite (no event listener, no commit-step
     * callback): an adding rewrite may find the objects that cannot be extended itself. */
    nothingRunsBefore = false,
    /** Found plain before the pause (plainAhead.ts): symbols not looked for again; descriptors are. */
    knownPlain = false,
  ): void {
    const { compiled } = this;
    const { stride, fast } = compiled;
    this.objects = objects;
    this.spareComputed = arrays?.computed;
    if (lean && compiled.lean) {
      const unchecked = nothingRunsBefore ? compiled.lean.scanAddsOnly : undefined;
      const scan = knownPlain ? compiled.lean.scanKnownPlain : compiled.lean.scan;
      const refused = (unchecked ?? scan)(objects, this.generalAt, prototype);
      if (refused >= 0) refuse(objects[refused]!, refused);
      if (this.generalAt.length === 0) {
        this.lean = compiled.lean;
        this.extensibleUnchecked = unchecked !== undefined;
        return;
      }
      // Some objects take the general path: scan again, saving old values.
      this.generalAt.length = 0;
      prototype = null; // those off it are already left out
    }
    // Preallocated: growing a multi-megabyte array copies it several times.
    this.old = stride > 0 && fast ? sized(arrays?.old, objects.length * stride) : [];
    const scan = knownPlain ? compiled.scanKnownPlain : compiled.scan;
    const refused = scan(objects, this.old, this.generalAt, prototype);
    if (refused >= 0) refuse(objects[refused]!, refused);
  }

  /**
   * An eager update's second pass: runs the plan's user code for every object `scan` took
   * (into `computed`) and prepares the general-path ones; `late` (budget.ts) may end it.
   */
  computeAll(late: () => void = () => {}): void {
    const { compiled, objects, generalAt } = this;
    const { computedCount } = compiled;
    if (computedCount === 0 && generalAt.length === 0) return;
    const computed =
      computedCount > 0 ? sized(this.spareComputed, objects.length * computedCount) : [];
    this.spareComputed = undefined;
    this.computed = computed;
    if (generalAt.length === 0 && compiled.computeRange) {
      for (let i = 0; i < objects.length; i += BUDGET_STRIDE) {
        late();
        compiled.computeRange(objects, computed, i, Math.min(objects.length, i + BUDGET_STRIDE));
      }
      return;
    }
    let g = 0;
    for (let i = 0; i < objects.length; i++) {
      if (i % BUDGET_STRIDE === 0) late();
      if (g < generalAt.length && generalAt[g] === i) {
        g++;
        this.general.set(i, prepared(objects[i]!, this.plan, i));
      } else if (computedCount > 0) {
        compiled.compute(objects[i]!, computed, i * computedCount, i, true);
      }
    }
  }

  /**
   * Computes `object`'s migration (user code runs here, never touching the
   * object) and appends it; `index` names the object in errors. Lazy
   * updates, one object at a time. Returns the object's position: code it
   * runs (a getter read, an initialiser) that touches another pending
   * object migrates that one first, at the position this one would have
   * had — so the compiled path reads and computes into scratch arrays of its own nesting
   * depth, and takes its position at the end. -1 if such a migration failed and the update
   * was rolled back (the log cleared): nothing is appended.
   */
  prepare(object: object, index: number, onCopy?: (copy: object) => void): number {
    const { compiled } = this;
    const cleared = this.cleared;
    const scratch = (this.scratch[this.depth] ??= { old: [], computed: [] });
    this.depth++;
    let fast: boolean;
    let migration: PreparedMigration | undefined;
    try {
      fast = compiled.fast && compiled.readOld(object, scratch.old, 0);
      if (fast) compiled.compute(object, scratch.computed, 0, index);
      else migration = prepared(object, this.plan, index, onCopy);
    } finally {
      this.depth--;
    }
    if (this.cleared !== cleared) return -1;
    const i = this.length;
    if (fast) {
      const { stride, computedCount } = compiled;
      for (let k = 0; k < stride; k++) this.old[i * stride + k] = scratch.old[k];
      for (let k = 0; k < computedCount; k++)
        this.computed[i * computedCount + k] = scratch.computed[k];
    } else if (!this.weak?.done) this.general.set(i, migration!);
    if (this.weak?.done) this.weak.add(object, migration, this, i);
    else this.objects.push(object);
    return i;
  }

  /**
   * Applies every prepared migration (the commit of an eager update). When
   * it throws, `progress` says how many objects were rewritten and whether
   * the next one was partly rewritten (then it must be reverted too).
   * Returns -1, or, when `checkedAtRewrite`, the position of the first object
   * changed since `scan` (not rewritten; `progress.done` is there).
   */
  applyAll(progress: ApplyProgress, onStep?: (i: number) => void): number {
    const { objects, compiled } = this;
    progress.done = 0;
    progress.partial = false;
    if (this.lean && !onStep) {
      progress.partial = true; // a throw inside the range comes from a rewrite
      this.applyLean(0, objects.length, progress);
      progress.partial = false;
      return -1;
    }
    if (!onStep && this.general.size === 0) {
      const { old, computed } = this;
      let changed = -1;
      progress.partial = true; // a throw inside the range comes from a rewrite
      if (this.checkedAtRewrite) {
        changed = compiled.applyRangeChecked(objects, 0, objects.length, old, computed, progress);
      } else compiled.applyRange(objects, 0, objects.length, old, computed, progress);
      progress.partial = false;
      return changed;
    }
    for (let i = 0; i < objects.length; i++) {
      onStep?.(i);
      // Prepared again first if written since (asItIsNow): a throw there wrote nothing to revert.
      const general = this.general.get(i);
      if (general) this.asItIsNow(i, general);
      progress.partial = true;
      this.applyAt(i);
      progress.partial = false;
      progress.done = i + 1;
    }
    return -1;
  }

  /** The commit rewrote every object: no revert or rollback reads the computed values again
   * (16 MiB at 10^6 objects with two computed fields; carried fields come from the old values). */
  committed(): void {
    this.computed = [];
  }

  applyAt(i: number): void {
    const general = this.general.get(i);
    if (general) {
      applyMigration(this.asItIsNow(i, general));
      return;
    }
    const { compiled } = this;
    if (this.lean) {
      this.applyLean(i, i + 1, { done: i });
      return;
    }
    const object = this.objectAt(i)!;
    const held = this.weak?.oldAt(object); // appended to a weakened log (weakenedLog.ts)
    if (held) compiled.apply(object, held, 0, held, compiled.stride);
    else
      compiled.apply(
        object,
        this.old,
        i * compiled.stride,
        this.computed,
        i * compiled.computedCount,
      );
  }

  /** The lean rewrite of `[start, end)`; a throw records where, and what that rewrite read. */
  private applyLean(start: number, end: number, progress: { done: number }): void {
    try {
      this.lean!.applyRange(this.objects, start, end, this.computed, progress, this.partial);
    } catch (error) {
      this.partialAt = progress.done;
      throw error;
    }
  }

  /**
   * `prepared`, or, if code that ran since it was prepared (an update's event
   * listener, a validation) wrote to the object, the object prepared again:
   * its new state is computed from what it holds now, so that write is not
   * lost, and a revert restores it.
   */
  private asItIsNow(i: number, prepared: PreparedMigration): PreparedMigration {
    const { object, oldKeys, oldValues, carried } = prepared;
    if (stillHolds(object, oldKeys, oldValues, carried?.before ?? null)) return prepared;
    restoreContainers(prepared.containers); // its migrators find them as they did the first time
    const again = prepareMigration(object, this.plan, i);
    this.general.set(i, again);
    return again;
  }

  /** Puts object i back exactly as it was before `applyAt(i)`. */
  revertAt(i: number): void {
    const general = this.preparedAt(i);
    if (general) {
      revertMigration(general);
      return;
    }
    const object = this.objectAt(i);
    if (object === undefined) return; // dropped: nothing to restore
    const { lean } = this;
    // An adding rewrite left the old fields as they were: they are read back.
    const partial = lean && !lean.addsOnly && i === this.partialAt;
    if (partial && this.partial.length === 0) return; // not started
    const values = !lean ? this.oldValuesAt(i) : partial ? this.partial : lean.oldValues(object);
    rewriteFields(object, Object.keys(object), this.compiled.oldLayout, values);
  }

  /** Drops the last entry (its migration failed before or while it was applied). */
  dropLast(): void {
    const i = this.length - 1;
    if (this.weak?.done) this.weak.refs.length = i;
    else this.objects.length = i;
    this.general.delete(i);
    if (this.generalAt[this.generalAt.length - 1] === i) this.generalAt.pop();
    this.old.length = Math.min(this.old.length, i * this.compiled.stride);
    this.computed.length = Math.min(this.computed.length, i * this.compiled.computedCount);
  }

  /** Drops the entries from `length` on (a reopened lazy update forgets a completion, lazyCompletion.ts). */
  truncate(length: number): void {
    while (this.length > length) this.dropLast();
  }

  private oldValuesAt(i: number): unknown[] {
    const { stride } = this.compiled;
    const held = this.weak?.oldAt(this.objectAt(i));
    return held ? held.slice(0, stride) : this.old.slice(i * stride, (i + 1) * stride);
  }

  /** Undefined where no old values were kept: a rollback then finds them in the object. */
  retained(i: number): Retained | undefined {
    const general = this.preparedAt(i);
    if (general) return general;
    const object = this.objectAt(i);
    if (this.lean || object === undefined) return undefined;
    const { compiled } = this;
    const { stride, computedCount } = compiled;
    const held = this.weak?.oldAt(object);
    return {
      object,
      plan: this.plan,
      carried: null,
      oldKeys: compiled.oldLayout,
      oldValues: this.oldValuesAt(i),
      newValues: held
        ? compiled.installed(held, 0, held, stride)
        : compiled.installed(this.old, i * stride, this.computed, i * computedCount),
    };
  }

  /** Forgets everything (the update became permanent or was rolled back). */
  clear(): void {
    this.cleared++;
    this.weak = undefined;
    this.checkedAtRewrite = false;
    this.extensibleUnchecked = false;
    this.spareComputed = undefined;
    this.objects.length = 0;
    this.old.length = 0;
    this.computed.length = 0;
    this.general.clear();
    this.generalAt.length = 0;
    this.lean = undefined;
    this.partial.length = 0;
    this.partialAt = -1;
  }
}

/** An object's migration, refused now if its rewrite would have to delete a property it cannot. */
function prepared(
  object: object,
  plan: ClassMigrationPlan,
  index: number,
  onCopy?: (copy: object) => void,
): PreparedMigration {
  const migration = prepareMigration(object, plan, index, onCopy);
  refuseFixedProperties(migration, index);
  return migration;
}
