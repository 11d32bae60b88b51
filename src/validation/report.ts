/**
 * Validation results. Every failure of every rule is collected before the
 * update decides; the report travels inside the error that refuses the update.
 */
import { ReportedError } from "../errors.js";

export interface ValidationFailure {
  /** The rule that failed: a system rule (e.g. "duplicate-field") or the name of an application validation. */
  readonly rule: string;
  readonly className?: string;
  readonly field?: string;
  /** The object at fault, when the rule is about one object. */
  readonly object?: object;
  readonly message: string;
}

export interface ValidationReport {
  readonly ok: boolean;
  readonly failures: readonly ValidationFailure[];
  /** How many rules ran and how many instances they looked at. */
  readonly rulesRun: number;
  readonly instancesChecked: number;
}

export function makeReport(
  failures: readonly ValidationFailure[],
  rulesRun: number,
  instancesChecked: number,
): ValidationReport {
  return { ok: failures.length === 0, failures, rulesRun, instancesChecked };
}

/** One line per failure, for error messages and logs. */
export function formatReport(report: ValidationReport, limit = 10): string {
  const lines = report.failures.slice(0, limit).map((f) => {
    const where = [f.className, f.field].filter(Boolean).join(".");
    return `  - [${f.rule}]${where ? ` ${where}:` : ""} ${f.message}`;
  });
  if (report.failures.length > limit) lines.push(`  … and ${report.failures.length - limit} more`);
  return lines.join("\n");
}

/** System or application validations failed; `report` lists every failure. */
export class ValidationError extends ReportedError<ValidationReport> {
  readonly code = "MM_VALIDATION_FAILED";
}
