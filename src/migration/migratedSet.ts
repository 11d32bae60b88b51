/**
 * The objects a lazy update has already put on the new layout. A single
 * WeakSet would do, but a hash table grows by rehashing every entry at once:
 * one `add` at ~700k entries blocked the progressive sweep for 118–154 ms.
 * Objects marked in bulk (`completeMigration()`, a sweep object that cannot
 * be branded, the branded objects of a rollback) therefore go
 * into chunks of at most CHUNK entries each, whose growth costs a few
 * milliseconds at most; objects marked one at a time (built after the
 * commit while a sweep or completion runs, or where no brand could be
 * given; a first touch that cannot be branded) go into one set, checked first, until it holds SINGLE
 * objects (then into the chunks): an object not yet migrated is looked up
 * once, not once per chunk (each lookup of an object in a large table is a
 * cache miss: ~20 ns without an identity hash, ~100 ns with one). That set
 * grows one object at a time, so its last rehash (a few milliseconds at
 * SINGLE entries) is spread over the program's own work.
 *
 * Objects migrated at their first touch or by the sweep are not added here
 * but branded (lazyBrand.ts: the guard's check is one property load), until
 * a rollback is under way: then they are moved here. A private field as
 * the brand could never be taken off (see lazyBrand.ts).
 */

/** Entries per bulk chunk: its last rehash stays within a few milliseconds. */
export const CHUNK = 1 << 15;
/** Objects marked one at a time before they go into chunks too. */
export const SINGLE = 1 << 17;

export class MigratedSet {
  private readonly single = new WeakSet<object>();
  private inSingle = 0;
  private readonly chunks: WeakSet<object>[] = [];
  private inLast = CHUNK;

  has(object: object): boolean {
    // Empty until something is marked here (most updates brand everything):
    // a pass over every pending object then makes no lookup at all.
    if (this.inSingle === 0 && this.chunks.length === 0) return false;
    if (this.single.has(object)) return true;
    const { chunks } = this;
    for (let i = chunks.length - 1; i >= 0; i--) if (chunks[i]!.has(object)) return true;
    return false;
  }

  /** How many chunks there are (where `unmark` starts). */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /**
   * Unmarks `objects`, marked in the one-at-a-time set or in chunks from
   * the last of `chunks` on (those an undone completion filled, see
   * LazyMigration.reopen): a reopened lazy update counts them as pending.
   */
  unmark(objects: readonly object[], chunks: number): void {
    const from = Math.max(0, chunks - 1);
    for (const object of objects) {
      this.single.delete(object);
      for (let i = from; i < this.chunks.length; i++) this.chunks[i]!.delete(object);
    }
  }

  /** Marks an object migrated on its own (construction, a copy, a first touch that could not be branded). */
  add(object: object): void {
    if (this.inSingle === SINGLE) this.addInBulk(object);
    else {
      this.single.add(object);
      this.inSingle++;
    }
  }

  /** Marks an object migrated as one of many (completion, a rollback's settling). */
  addInBulk(object: object): void {
    if (this.inLast === CHUNK) {
      this.chunks.push(new WeakSet());
      this.inLast = 0;
    }
    this.chunks[this.chunks.length - 1]!.add(object);
    this.inLast++;
  }
}
