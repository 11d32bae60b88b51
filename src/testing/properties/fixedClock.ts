/**
 * One clock for the worlds a property compares. Policy independence builds
 * and migrates one world per policy, one after the other: a field
 * initialiser or migrator that reads the time (`createdAt = Date.now()`,
 * `new Date()`) gives each world a different value, and eager and lazy
 * "disagreed" on every class that stamps its objects — a false alarm that
 * hid the real ones. Under `withFixedClock`, `Date.now()`, `new Date()` and
 * `Date()` all read one instant, the same for every world.
 *
 * The global `Date` is swapped while the worlds run (their code reads the
 * global at call time); what else runs meanwhile sees the same instant.
 * Overlapping uses share the first one's instant and restore the real
 * `Date` when the last ends.
 */

let fixed: { readonly real: DateConstructor; depth: number } | undefined;

function fixedDate(real: DateConstructor, time: number): DateConstructor {
  const now = () => time;
  return new Proxy(real, {
    construct: (target, args, newTarget) =>
      Reflect.construct(target, args.length === 0 ? [time] : args, newTarget) as object,
    apply: () => new real(time).toString(),
    get: (target, key) => (key === "now" ? now : Reflect.get(target, key)),
  });
}

/** Runs `run` with the clock stopped at `time` (ms since the epoch). */
export async function withFixedClock<T>(time: number, run: () => Promise<T>): Promise<T> {
  if (fixed === undefined) {
    fixed = { real: globalThis.Date, depth: 0 };
    globalThis.Date = fixedDate(fixed.real, time);
  }
  fixed.depth++;
  try {
    return await run();
  } finally {
    if (--fixed.depth === 0) {
      globalThis.Date = fixed.real;
      fixed = undefined;
    }
  }
}
