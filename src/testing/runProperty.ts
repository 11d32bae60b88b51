/**
 * One property under fast-check: the runs, the count of runs that really
 * checked something (a pass over runs that checked nothing is not a pass),
 * and the failure with its shrunk counterexample.
 */
import fc from "fast-check";
import { formatPropertyInput } from "./properties/inputs.js";
import type { MigrationProperty, PropertyInput } from "./properties/types.js";
import { PropertyViolation } from "./properties/types.js";
import { userFrame } from "./properties/userFrame.js";
import { describeError } from "./properties/wording.js";
import type { PropertyResult } from "./report.js";
import type { VacuityRule } from "./vacuity.js";
import { ConstructedOutsideWorldError, ConstructFailedError } from "./world/construct.js";
import { tooFewChecked, vacuityMessage } from "./vacuity.js";

export async function runProperty(
  property: MigrationProperty,
  parameters: fc.Parameters<[PropertyInput]>,
  seed: number,
  rule: VacuityRule,
): Promise<Omit<PropertyResult, "ms">> {
  const base = { name: property.name, description: property.description };
  if (property.skipped !== undefined) {
    return { ...base, status: "skipped", runs: 0, reason: property.skipped };
  }
  if (property.refused !== undefined) {
    return {
      ...base,
      status: "failed",
      runs: 0,
      failure: { message: property.refused, seed, shrinks: 0 },
    };
  }
  // Counted during the runs only: a passing property is never shrunk.
  let checked = 0;
  const vacuous: Record<string, number> = {};
  const details = await fc.check(
    fc.asyncProperty(property.arbitrary, async (input) => {
      const verdict = await property.check(input);
      if (verdict.checked) checked++;
      else vacuous[verdict.reason] = (vacuous[verdict.reason] ?? 0) + 1;
    }),
    parameters,
  );
  if (!details.failed) {
    return passed({ ...base, runs: details.numRuns, checked, vacuous }, rule, seed);
  }
  if (details.counterexample === null) {
    const message = details.interrupted
      ? "the run was interrupted"
      : `too many skipped runs (${details.numSkips})`;
    return {
      ...base,
      status: "failed",
      runs: details.numRuns,
      failure: { message, seed, shrinks: details.numShrinks },
    };
  }
  const [input] = details.counterexample;
  const error = details.errorInstance;
  const message =
    error instanceof PropertyViolation
      ? error.message
      : // The test's own `construct` failed, not the property: said so, at its line.
        error instanceof ConstructFailedError || error instanceof ConstructedOutsideWorldError
        ? `${error.message}${userFrame(error)}`
        : `the property threw: ${describeError(error)}${userFrame(error)}`;
  return {
    ...base,
    status: "failed",
    runs: details.numRuns,
    failure: {
      message,
      counterexample: input,
      counterexampleText: formatPropertyInput(input),
      seed,
      path: details.counterexamplePath,
      shrinks: details.numShrinks,
      error,
    },
  };
}

/** A pass, unless too few of its runs checked anything. */
function passed(
  result: Pick<PropertyResult, "name" | "description" | "runs" | "checked" | "vacuous">,
  rule: VacuityRule,
  seed: number,
): Omit<PropertyResult, "ms"> {
  const checked = result.checked ?? result.runs;
  if (!tooFewChecked(checked, result.runs, rule)) return { ...result, status: "passed" };
  const message = vacuityMessage(checked, result.runs, result.vacuous ?? {}, rule);
  if (rule.vacuity === "warn") return { ...result, status: "passed", warning: message };
  return { ...result, status: "failed", failure: { message, seed, shrinks: 0 } };
}
