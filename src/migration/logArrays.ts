/** The arrays a migration log (migrationLog.ts) keeps values in, and their reuse. */
/**
 * Scratch arrays of a migration log, allocated before the pause
 * (phases/find.ts): `old` for the compiled path's old values, `computed`
 * for the values user code computes. Holes until the pause writes them; a
 * log uses one only if it is long enough, trimmed to the length it needs.
 */
export interface LogArrays {
  readonly old?: unknown[];
  readonly computed?: unknown[];
}

/**
 * `spare` trimmed to `length` if it is long enough (a holey array of holes,
 * as `new Array(length)` makes it), else a new array.
 */
export function sized(spare: unknown[] | undefined, length: number): unknown[] {
  if (spare === undefined || spare.length < length) return new Array<unknown>(length);
  spare.length = length;
  return spare;
}
