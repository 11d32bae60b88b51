/** A refused update: the validation failures become one typed error, thrown before anything changed. */
import type { ValidationFailure } from "../validation/report.js";
import { formatReport, makeReport, ValidationError } from "../validation/report.js";

export function refuse(
  message: string,
  failures: readonly ValidationFailure[],
  rules: number,
  instances: number,
): never {
  const report = makeReport(failures, rules, instances);
  throw new ValidationError(`${message}\n${formatReport(report)}`, report, {
    failures: failures.length,
  });
}
