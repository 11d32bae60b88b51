/**
 * Options objects are written by guess in JavaScript (TypeScript's excess
 * property check covers only literals): a key a call does not know was
 * silently ignored — `addField(C, f, { initializer: "new X()" })` added the
 * field with the value undefined. Such a key is refused, naming the keys the
 * call knows and the one it most likely meant. Beside errors.ts, below every
 * layer: the namespace, the patch builder and the update engine all use it.
 */

/** Names callers reach for, and the key each means (offered only when the call has that key). */
export type KeyGuesses = ReadonlyMap<string, string>;

const NO_GUESSES: KeyGuesses = new Map();

/** Levenshtein distance, case-insensitive (keys are short). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = row[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1);
      next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, substitution));
    }
    row = next;
  }
  return row[y.length]!;
}

/** The known key `key` most likely stands for: a usual guess, a near spelling, or a prefix. */
export function meantKeyAmong(
  key: string,
  known: readonly string[],
  guesses: KeyGuesses = NO_GUESSES,
): string | undefined {
  const guessed = guesses.get(key);
  if (guessed !== undefined && known.includes(guessed)) return guessed;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = distance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined) return best;
  const lower = key.toLowerCase();
  return lower.length < 3
    ? undefined
    : known.find((k) => k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase()));
}

/**
 * The first own key of `options` that `known` lacks, with what to say about
 * it: `unknown option "x" (call takes a, b); did you mean a?` (`what` names
 * the key otherwise: "key" of a class spec, say).
 */
export function unknownKey(
  options: object,
  known: readonly string[],
  call: string,
  guesses: KeyGuesses = NO_GUESSES,
  what = "option",
): { readonly key: string; readonly message: string; readonly meant?: string } | undefined {
  const key = Object.keys(options).find((k) => !known.includes(k));
  if (key === undefined) return undefined;
  const meant = meantKeyAmong(key, known, guesses);
  return {
    key,
    message: `unknown ${what} ${JSON.stringify(key)} (${call} takes ${known.join(", ")})${meant === undefined ? "" : `; did you mean ${meant}?`}`,
    ...(meant === undefined ? {} : { meant }),
  };
}
