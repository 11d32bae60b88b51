/**
 * The testing kit's options refuse keys they do not know. An options object
 * built in a variable escapes TypeScript's excess-property check, and a
 * misspelt key was ignored: `checkMigration(p, { postcondtion })` passed
 * with the postcondition "skipped", `maxInstance: 50` checked worlds of at
 * most five instances — a check that ran weaker than written and said ok.
 */
import { requireKnownKeys } from "../lifecycle/optionKeys.js";
import type { KeyGuesses } from "../unknownKeys.js";

/** Every key of every member of a union (`keyof` of a union keeps only the common ones). */
export type KeysOfUnion<T> = T extends unknown ? keyof T : never;

/** The keys of an options type, listed as a record so that a key added to the type must be added here. */
export function keysOf<T>(record: Readonly<Record<KeysOfUnion<T>, true>>): readonly string[] {
  return Object.keys(record);
}

const GUESSES: KeyGuesses = new Map([
  ["runs", "numRuns"],
  ["iterations", "numRuns"],
  ["class", "classes"],
  ["specs", "classes"],
  ["inverse", "reverse"],
  ["undo", "reverse"],
  ["then", "composeWith"],
  ["compose", "composeWith"],
  ["check", "postcondition"],
  ["invariant", "postcondition"],
  ["arbitraries", "values"],
  ["generators", "values"],
  ["factory", "construct"],
  ["classNames", "instantiate"],
  ["timeoutMs", "timeout"],
]);

/**
 * Refuses `options` (given to `call`) when it is not an object, or has an
 * own key `known` lacks: MM_INVALID_OPTION naming the key, the keys `call`
 * takes and the one it most likely meant. Undefined is no options at all.
 */
export function refuseUnknownKeys(
  options: unknown,
  known: readonly string[],
  call: string,
  what = "option",
): void {
  if (options === undefined) return;
  requireKnownKeys(options, known, call, call, what, GUESSES);
}
