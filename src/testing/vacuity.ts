/**
 * A pass over runs that checked nothing is not a pass. `checkMigration`
 * counts the checked runs of a property and judges them once its runs are
 * over; the `predicate` of `migrationProperties`, run by fast-check's own
 * runners (`fc.assert`, `@fast-check/vitest`), has no end of runs to judge
 * at, so it counts as it goes and fails the run that reaches `numRuns` with
 * fewer than `minChecked` checked — the same guarantee, the same words.
 */
import fc from "fast-check";
import type { PropertyDefinition, PropertyInput } from "./properties/types.js";
import { PropertyViolation } from "./properties/types.js";

/** How few checked runs a pass may have, and what happens below that. */
export interface VacuityRule {
  /** Fewest runs that must check something; 0 turns the rule off. */
  readonly minChecked: number;
  readonly vacuity: "fail" | "warn";
  /** The runs a property is given (`numRuns`). */
  readonly numRuns: number;
}

/**
 * fast-check's run count when the options give none: the project's
 * `fc.configureGlobal({ numRuns })`, as fast-check's own runners use it,
 * else fast-check's default (100).
 */
export function globalNumRuns(): number {
  return fc.readConfigureGlobal().numRuns ?? 100;
}

/** The rule of a check's options (see `CheckMigrationOptions`). */
export function vacuityRule(options: {
  readonly numRuns?: number;
  readonly minChecked?: number;
  readonly vacuity?: "fail" | "warn";
  readonly path?: string;
}): VacuityRule {
  const numRuns = options.numRuns ?? globalNumRuns();
  return {
    // A replayed counterexample is one run: nothing to count.
    minChecked:
      options.path !== undefined ? 0 : (options.minChecked ?? Math.max(1, Math.ceil(numRuns / 10))),
    vacuity: options.vacuity ?? "fail",
    numRuns,
  };
}

/** Whether `checked` of `runs` is too few under `rule`. */
export function tooFewChecked(checked: number, runs: number, rule: VacuityRule): boolean {
  return checked < Math.min(rule.minChecked, runs);
}

/** Why a pass with too few checked runs is not one, with the reasons counted. */
export function vacuityMessage(
  checked: number,
  runs: number,
  vacuous: Readonly<Record<string, number>>,
  rule: VacuityRule,
): string {
  const reasons = Object.entries(vacuous)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, n]) => `${reason}: ${n}`)
    .join("; ");
  return `only ${checked} of ${runs} runs checked something (${reasons}); the property passed over runs in which it checked nothing — generate worlds the patch applies to (\`values\`), or lower \`minChecked\` (${rule.minChecked})`;
}

/**
 * `definition.check` as a fast-check predicate that also counts its runs:
 * the run that reaches `numRuns` with too few checked fails (or, under
 * `vacuity: "warn"`, warns once). The failure then stands for every later
 * run, so fast-check's shrinking ends at once with the same message.
 */
export function guardedPredicate(
  definition: PropertyDefinition,
  rule: VacuityRule,
): (input: PropertyInput) => Promise<void> {
  let runs = 0;
  let checked = 0;
  const vacuous: Record<string, number> = {};
  let failure: PropertyViolation | undefined;
  let warned = false;
  return async (input) => {
    if (failure !== undefined) throw failure;
    const verdict = await definition.check(input);
    runs++;
    if (verdict.checked) checked++;
    else vacuous[verdict.reason] = (vacuous[verdict.reason] ?? 0) + 1;
    if (runs < rule.numRuns || !tooFewChecked(checked, runs, rule)) return;
    const message = vacuityMessage(checked, runs, vacuous, rule);
    if (rule.vacuity === "fail") {
      failure = new PropertyViolation(definition.name, message);
      throw failure;
    }
    if (!warned) console.warn(`metamorph/testing: ${definition.name}: ${message}`);
    warned = true;
  };
}
