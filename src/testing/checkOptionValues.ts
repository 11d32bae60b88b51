/**
 * The values of a check's options, refused before anything runs where they
 * would make it check nothing or never end: `numRuns: 0` reported "every
 * property holds (0 runs each)", `numRuns: 2.5` made fast-check run until
 * the process ran out of memory, `reverse: {}` and `composeWith: 42` threw
 * a bare TypeError from inside the kit.
 */
import fc from "fast-check";
import { InvalidOptionError } from "../errors.js";
import { Patch } from "../patch/patch.js";
import { kindOf } from "../valueKinds.js";
import { meantKeyAmong } from "../unknownKeys.js";
import { isSilentLoss, SILENT_LOSS_CODES, WARNING_CODES } from "./properties/warningLog.js";

interface Given {
  readonly numRuns?: unknown;
  readonly seed?: unknown;
  readonly path?: unknown;
  readonly minChecked?: unknown;
  readonly vacuity?: unknown;
  readonly reverse?: unknown;
  readonly composeWith?: unknown;
  readonly properties?: unknown;
  readonly acceptWarnings?: unknown;
  readonly references?: unknown;
  readonly scope?: unknown;
  readonly world?: unknown;
  readonly minInstances?: unknown;
  readonly maxInstances?: unknown;
}

const integer = (v: unknown, least: number) =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= least;

/** What each checked option must be, and whether `value` is that. */
const RULES: readonly [keyof Given, string, (value: unknown) => boolean][] = [
  ["numRuns", "a whole number of runs, at least 1", (v) => integer(v, 1)],
  ["seed", "a whole number", (v) => typeof v === "number" && Number.isInteger(v)],
  [
    "path",
    "the `path` string of a reported failure",
    (v) => typeof v === "string" && /^\d+(:\d+)*$/.test(v),
  ],
  ["minChecked", "a whole number, 0 or more", (v) => integer(v, 0)],
  ["vacuity", '"fail" or "warn"', (v) => v === "fail" || v === "warn"],
  ["reverse", "a Patch (made with patch(name)…build())", (v) => v instanceof Patch],
  [
    "composeWith",
    "a Patch or an array of Patches",
    (v) => v instanceof Patch || (Array.isArray(v) && v.every((p) => p instanceof Patch)),
  ],
  ["properties", "a non-empty array of property names", (v) => Array.isArray(v) && v.length > 0],
  ["references", "true or false", (v) => typeof v === "boolean"],
  ["scope", "a record of names", (v) => typeof v === "object" && v !== null && !Array.isArray(v)],
  [
    "world",
    "a fast-check arbitrary of WorldSpecs", // Duck-typed: an arbitrary of another copy of fast-check generates all the same.
    (v) =>
      v instanceof fc.Arbitrary ||
      typeof (v as { generate?: unknown } | null)?.generate === "function",
  ],
  ["minInstances", "a whole number, 0 or more", (v) => integer(v, 0)],
  ["maxInstances", "a whole number, 0 or more", (v) => integer(v, 0)],
];

/** Options that only mean something together: a path replays a run of one seed; instance bounds in order. */
function checkTogether(options: Given, call: string): void {
  if (options.path !== undefined && options.seed === undefined) {
    throw new InvalidOptionError(
      `${call}: \`path\` replays a run of one seed: give the report's \`seed\` with it`,
      { call, option: "path" },
    );
  }
  const { minInstances: min, maxInstances: max } = options;
  if (typeof min === "number" && typeof max === "number" && min > max) {
    throw new InvalidOptionError(
      `${call}: \`minInstances\` (${min}) is more than \`maxInstances\` (${max})`,
      { call, option: "minInstances" },
    );
  }
}

/** A revoked Proxy throws on `instanceof` and `Array.isArray`: it fits nothing. */
function fitsSafely(fits: (value: unknown) => boolean, value: unknown): boolean {
  try {
    return fits(value);
  } catch {
    return false;
  }
}

/**
 * Refuses an `acceptWarnings` code that is not a warning that fails
 * no-silent-loss: a misspelt code accepted nothing, and the property failed
 * on the warning the author meant to accept (or, were it a code that fails
 * nothing, the author believed a loss was being watched).
 */
function checkAcceptWarnings(value: unknown, call: string): void {
  if (value === undefined) return;
  const option = "acceptWarnings";
  const codes = Array.isArray(value) ? (value as unknown[]) : [value];
  for (const code of codes) {
    if (Array.isArray(value) && typeof code === "string" && isSilentLoss(code)) continue;
    const shown = typeof code === "string" ? JSON.stringify(code) : kindOf(code);
    const meant = typeof code === "string" ? meantKeyAmong(code, SILENT_LOSS_CODES) : undefined;
    const known = typeof code === "string" && (WARNING_CODES as readonly string[]).includes(code);
    throw new InvalidOptionError(
      `${call}: \`${option}\` must be an array of the warning codes no-silent-loss fails on (${SILENT_LOSS_CODES.join(", ")}), not ${Array.isArray(value) ? shown : kindOf(value)}${known ? " (a warning that fails no property: the report lists it)" : ""}${meant === undefined ? "" : `; did you mean ${meant}?`}`,
      { call, option, value: code },
    );
  }
}

const POLICIES: readonly unknown[] = ["eager", "lazy", "progressive"];

/** What each checked key of a workload must be, and whether `value` is that. */
const WORKLOAD_RULES: readonly [string, string, (value: unknown) => boolean][] = [
  ["setup", "a function making the live objects and the model", (v) => typeof v === "function"],
  ["commands", "an array of arbitraries of commands", (v) => Array.isArray(v)],
  // 0 made every run vacuous; 2.5 or NaN went to fast-check, which ran out of memory or threw.
  ["maxCommands", "a whole number of calls, at least 1", (v) => integer(v, 1)],
  [
    "policies",
    'a non-empty array of "eager", "lazy" and "progressive", each once',
    (v) =>
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((p) => POLICIES.includes(p)) &&
      new Set(v).size === v.length,
  ],
];

function shownValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
    return JSON.stringify(value);
  }
  return kindOf(value);
}

/**
 * Refuses a workload whose values the property cannot run: `policies: []`
 * made fast-check throw from inside the property, `policies: ["eagre"]`
 * applied the update with a policy the engine refuses on every run, and a
 * duplicate weighted one policy over the others without a word.
 */
export function checkWorkloadValues(workload: unknown, call: string): void {
  if (typeof workload !== "object" || workload === null) return;
  for (const [key, expected, fits] of WORKLOAD_RULES) {
    const value = (workload as Readonly<Record<string, unknown>>)[key];
    const required = key === "setup" || key === "commands";
    if ((value === undefined && !required) || fitsSafely(fits, value)) continue;
    const option = `workload.${key}`;
    throw new InvalidOptionError(
      `${call}: \`${option}\` must be ${expected}, not ${shownValue(value)}`,
      { call, option },
    );
  }
}

export function checkOptionValues(options: Given, call: string): void {
  checkAcceptWarnings(options.acceptWarnings, call);
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
  checkTogether(options, call);
}
