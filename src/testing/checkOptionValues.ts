/**
 * The values of a check's options, refused before anything runs where they
 * would make it check nothing or never end: `numRuns: 0` reported "every
 * property holds (0 runs each)", `numRuns: 2.5` made fast-check run until
 * the process ran out of memory, `reverse: {}` and `composeWith: 42` threw
 * a bare TypeError from inside the kit.
 */
import { InvalidOptionError } from "../errors.js";
import { Patch } from "../patch/patch.js";
import { kindOf } from "../valueKinds.js";

interface Given {
  readonly numRuns?: unknown;
  readonly seed?: unknown;
  readonly path?: unknown;
  readonly minChecked?: unknown;
  readonly vacuity?: unknown;
  readonly reverse?: unknown;
  readonly composeWith?: unknown;
  readonly properties?: unknown;
}

const integer = (v: unknown, least: number) =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= least;

/** What each checked option must be, and whether `value` is that. */
const RULES: readonly [keyof Given, string, (value: unknown) => boolean][] = [
  ["numRuns", "a whole number of runs, at least 1", (v) => integer(v, 1)],
  ["seed", "a whole number", (v) => typeof v === "number" && Number.isInteger(v)],
  ["path", "the `path` string of a reported failure", (v) => typeof v === "string"],
  ["minChecked", "a whole number, 0 or more", (v) => integer(v, 0)],
  ["vacuity", '"fail" or "warn"', (v) => v === "fail" || v === "warn"],
  ["reverse", "a Patch (made with patch(name)…build())", (v) => v instanceof Patch],
  [
    "composeWith",
    "a Patch or an array of Patches",
    (v) => v instanceof Patch || (Array.isArray(v) && v.every((p) => p instanceof Patch)),
  ],
  ["properties", "an array of property names", (v) => Array.isArray(v)],
];

/** A revoked Proxy throws on `instanceof` and `Array.isArray`: it fits nothing. */
function fitsSafely(fits: (value: unknown) => boolean, value: unknown): boolean {
  try {
    return fits(value);
  } catch {
    return false;
  }
}

export function checkOptionValues(options: Given, call: string): void {
  for (const [option, expected, fits] of RULES) {
    const value = options[option];
    if (value === undefined || fitsSafely(fits, value)) continue;
    const shown =
      typeof value === "number" || typeof value === "string"
        ? JSON.stringify(value)
        : kindOf(value);
    throw new InvalidOptionError(`${call}: \`${option}\` must be ${expected}, not ${shown}`, {
      call,
      option,
    });
  }
}
