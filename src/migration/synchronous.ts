/** Migration code is synchronous: what a promise it returns means. */

export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === "object" || typeof value === "function") &&
  value !== null &&
  typeof (value as { then?: unknown }).then === "function";

/**
 * Migration is synchronous: what an asynchronous migrator writes after its
 * first await would land after the commit, on whatever the object is then.
 * Its promise is observed so that a rejection does not go unhandled.
 */
export function asyncRefusal(value: PromiseLike<unknown>, what: string): Error {
  Promise.resolve(value).catch(() => {});
  return new Error(
    `${what} returned a promise; migrators and initialisers must be synchronous (an asynchronous one's writes would be lost)`,
  );
}
