/**
 * The inputs of property runs as fast-check values: the rollback scenarios,
 * and how an input prints in a counterexample.
 */
import fc from "fast-check";
import type { Policy } from "../../patch/operations.js";
import { formatWorldSpec } from "../world/format.js";
import type { PropertyInput, RollbackScenario } from "./types.js";

/** Attaches a readable rendering used by fast-check when it prints a counterexample. */
export function printable(input: PropertyInput): PropertyInput {
  Object.defineProperty(input, fc.toStringMethod, {
    value: () => formatPropertyInput(input),
    enumerable: false,
  });
  return input;
}

export function formatRollbackScenario(s: RollbackScenario): string {
  switch (s.kind) {
    case "rollback":
      return `commit with policy ${s.policy}, ${s.complete ? "complete the migration" : `wait ${s.wait} task(s)`}, then roll back`;
    case "commit-failure":
      return `eager commit that fails before rewriting object ${s.step}`;
    case "refusal":
      return "the patch plus a validation that always fails";
  }
}

/** A property input, as the report prints it. */
export function formatPropertyInput(input: PropertyInput): string {
  const lines = [formatWorldSpec(input.world)];
  if (input.rollback) lines.push(`scenario: ${formatRollbackScenario(input.rollback)}`);
  if (input.sliceSize !== undefined) lines.push(`progressive slice size: ${input.sliceSize}`);
  if (input.workload) {
    const run = input.workload;
    lines.push(`workload: ${String(run.commands)}; update before call ${run.at} (${run.policy})`);
  }
  return lines.join("\n");
}

export const rollbackScenarios: fc.Arbitrary<RollbackScenario> = fc.oneof(
  fc.record({
    kind: fc.constant("rollback" as const),
    policy: fc.constantFrom<Policy>("eager", "lazy", "progressive"),
    complete: fc.boolean(),
    wait: fc.nat({ max: 2 }),
  }),
  fc.record({ kind: fc.constant("commit-failure" as const), step: fc.nat({ max: 6 }) }),
  fc.constant({ kind: "refusal" as const }),
);
