/**
 * Which objects a lazy update has put on the new layout: branded ones
 * (lazyBrand.ts: migrated at their first touch or by the sweep, on the
 * compiled path), those in the set (migratedSet.ts: migrated by
 * `completeMigration()` once a guard or a rollback asks, made after the
 * commit, copies, and every branded one once a rollback is under way), and
 * — once the sweep has visited every object — all of them. Objects built
 * while the update is pending are branded at construction too, but listed
 * nowhere: see lazyBrand.ts `brandBuilt`.
 */
import { Brands } from "./lazyBrand.js";
import { MigratedSet } from "./migratedSet.js";
import type { MigrationLog } from "./migrationLog.js";

/** Where the marks stood (LazyMigration.checkpoint). */
export interface MarksCheckpoint {
  /** The branded objects, each with its count of own string-keyed properties when branded. */
  readonly branded: readonly (readonly [object, number])[];
  /** The set's chunks (MigratedSet.chunkCount). */
  readonly chunks: number;
  readonly all: boolean;
}

export class LazyMarks {
  readonly set = new MigratedSet();
  private readonly brands = new Brands();
  /**
   * Set once the sweep has migrated every object (see `allVisited`): the
   * guards stay only while the brands come off, in slices.
   */
  private all = false;

  /** What the guards look for on an object (its brand) and name the update by. */
  get brand(): Brands {
    return this.brands;
  }

  get allMigrated(): boolean {
    return this.all;
  }

  has(object: object): boolean {
    return this.all || this.brands.has(object) || this.set.has(object);
  }

  /**
   * Marks `object`, just migrated and appended to `log`: branded if it took
   * the compiled path (its own string-keyed properties are then exactly the
   * new fields, which lazyBrand.ts counts on to take the brand off again),
   * otherwise put in the set (`inBulk`: one of many).
   */
  mark(object: object, log: MigrationLog, inBulk: boolean): void {
    if (
      log.preparedAt(log.length - 1) === undefined &&
      this.brands.brand(object, log.plan.fields.length)
    ) {
      return;
    }
    if (inBulk) this.set.addInBulk(object);
    else this.set.add(object);
  }

  /**
   * Marks `object`, just built by the new version: branded where it can be
   * (lazyBrand.ts `brandBuilt`: the guards' fast path), otherwise in the set.
   * `brand`: false while no brand may be given (a sweep or a completion is
   * running, and would not see this object again to take it off).
   */
  markBuilt(object: object, brand: boolean): void {
    if (!brand || !this.brands.brandBuilt(object)) this.set.add(object);
  }

  /** Whether `object` carries a brand `markBuilt` gave it. */
  builtBrand(object: object): boolean {
    return this.brands.builtBrand(object);
  }

  /**
   * Takes off the brand `markBuilt` gave `object` (if it has one), marking
   * it in the set instead when `keep` (the guards stay, or a rollback or a
   * reopen will ask).
   */
  unbrandBuilt(object: object, keep: boolean): boolean {
    if (!this.brands.unbrandBuilt(object)) return false;
    if (keep) this.set.addInBulk(object);
    return true;
  }

  /**
   * Moves the objects branded so far into the set and takes their brands
   * off exactly: a rewrite (a rollback's) deleting a field before a brand
   * would leave the object in dictionary mode.
   */
  settleBrands(): void {
    if (this.brands.size > 0) this.brands.clear((object) => this.set.addInBulk(object), true);
  }

  /**
   * The sweep has migrated every object that was on a class prototype at
   * the commit (objects made since were born on the new layout): from now
   * on every object counts as migrated, and the guards only wait for
   * `unbrandUntil` to take the brands off before they go.
   */
  allVisited(): void {
    this.all = true;
  }

  /**
   * Takes brands off until `deadline` (performance.now()); true when none is
   * left. Exactly, as every unbranding: an object the program gave a
   * property after its brand would otherwise stay in dictionary mode for
   * good, slower than a fresh one.
   */
  unbrandUntil(deadline: number): boolean {
    return this.brands.clearUntil(deadline, undefined, true);
  }

  /** The update became permanent: the brands' list must keep nothing alive. */
  forget(): void {
    this.brands.weaken();
  }

  checkpoint(): MarksCheckpoint {
    return { branded: this.brands.entries(), chunks: this.set.chunkCount, all: this.all };
  }

  /**
   * The marks as they were at `checkpoint`, after a completion that took
   * every brand off: `reverted` (the objects the completion migrated, back
   * on the old layout) are no longer marked, the objects branded then are
   * branded again (in the set where they cannot be), and `since` (made on
   * the new layout meanwhile) are marked.
   */
  reopen(checkpoint: MarksCheckpoint, reverted: readonly object[], since: readonly object[]): void {
    this.set.unmark(reverted, checkpoint.chunks);
    for (const object of since) this.set.addInBulk(object);
    for (const [object, named] of checkpoint.branded) {
      if (!this.brands.has(object) && !this.brands.brand(object, named)) this.set.addInBulk(object);
    }
    this.all = checkpoint.all;
  }

  /** Takes every brand off, exactly (the guards go). */
  unbrand(): void {
    this.brands.clear(undefined, true);
  }
}
