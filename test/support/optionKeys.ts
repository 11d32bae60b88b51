/**
 * The keys of the unknown-option properties: what a caller may write in an
 * options object or a spec, and an object holding such a key as its own.
 */
import fc from "fast-check";

/** One of `guesses` (misspellings, other calls' options, Object.prototype's names) or any short string. */
export const keysCallersWrite = (...guesses: string[]): fc.Arbitrary<string> =>
  fc.oneof(fc.constantFrom(...guesses), fc.string({ minLength: 1, maxLength: 12 }));

/** `base` with the own key `key` (a literal own key, as JSON.parse or a spread would make it: "__proto__" included). */
export const withKey = (base: object, key: string, value: unknown): object =>
  Object.defineProperty({ ...base }, key, {
    value,
    enumerable: true,
    configurable: true,
    writable: true,
  });
