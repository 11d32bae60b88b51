/**
 * The patch's own vocabulary for unknown option keys (the refusal itself is
 * src/unknownKeys.ts): names JavaScript callers reach for in builder and
 * `Patch.fromJSON` options and class specs, and the key each means.
 */
import { type KeyGuesses, meantKeyAmong, unknownKey } from "../unknownKeys.js";

const GUESSES: KeyGuesses = new Map([
  ["initializer", "defaultSource"],
  ["initialiser", "defaultSource"],
  ["expression", "defaultSource"],
  ["source", "defaultSource"],
  ["value", "default"],
  ["defaultValue", "default"],
  ["initialValue", "default"],
  ["migrate", "initial"],
  ["migrator", "initial"],
  ["compute", "initial"],
  ["after", "before"],
  ["position", "before"],
  ["isStatic", "static"],
  ["type", "kind"],
  ["trusted", "trust"],
  ["verifiedBy", "trust"],
  ["extends", "superclass"],
  ["parent", "superclass"],
  ["members", "methods"],
  ["staticMethods", "statics"],
]);

/** The known key `key` most likely stands for: a usual guess, a near spelling, or a prefix. */
export function meantKey(key: string, known: readonly string[]): string | undefined {
  return meantKeyAmong(key, known, GUESSES);
}

/**
 * The first own key of `options` that `known` lacks, with what to say about
 * it: `unknown option "x" (call takes a, b); did you mean a?` (or `unknown
 * key "x"` of a class spec).
 */
export function unknownOption(
  options: object,
  known: readonly string[],
  call: string,
  what?: string,
): ReturnType<typeof unknownKey> {
  return unknownKey(options, known, call, GUESSES, what);
}
