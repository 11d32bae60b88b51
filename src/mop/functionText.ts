/**
 * A function's source text, line endings aside: a release built on Windows
 * has CRLF where the next has LF (winston 3.8.2 → 3.13's
 * `Logger.prototype.transports`); JavaScript reads both alike, in template
 * literals too. Its own module: registration reads it in the Vite page,
 * which loads prototypeMembers.ts's refusals only with the update engine.
 */
export const lineEndingsAlike = (text: string): string => text.replace(/\r\n?/g, "\n");

/** `f`'s source text, line endings aside; undefined for what is not a function. */
export const sourceOf = (f: unknown): string | undefined =>
  typeof f === "function" ? lineEndingsAlike(Function.prototype.toString.call(f)) : undefined;
