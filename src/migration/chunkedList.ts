/**
 * An append-only list kept in chunks of at most CHUNK entries, for what a
 * lazy update records one object at a time: a plain array grows by copying
 * itself whole (1.5× each time), and at 10^6 entries one `push` then copies
 * megabytes in a single step — 10–25 ms measured in a progressive sweep, a
 * block no slicing can bound. Here a push copies at most one chunk.
 */

/** Entries per chunk (a power of two: positions split with a shift and a mask). */
const SHIFT = 13;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

export class ChunkedList<T> {
  private readonly chunks: T[][] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(value: T): void {
    const { chunks } = this;
    let last = chunks[chunks.length - 1];
    if (last === undefined || last.length === CHUNK) chunks.push((last = []));
    last.push(value);
    this.size++;
  }

  at(i: number): T {
    return this.chunks[i >>> SHIFT]![i & MASK]!;
  }

  set(i: number, value: T): void {
    this.chunks[i >>> SHIFT]![i & MASK] = value;
  }

  /** Keeps the first `length` entries. */
  truncate(length: number): void {
    if (length >= this.size) return;
    const { chunks } = this;
    chunks.length = (length + MASK) >>> SHIFT;
    const last = chunks[chunks.length - 1];
    if (last !== undefined) last.length = length - ((chunks.length - 1) << SHIFT);
    this.size = length;
  }
}
