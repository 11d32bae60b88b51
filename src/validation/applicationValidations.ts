/**
 * Application validations: invariants written by the patch author, run over
 * the shadow. A check is foreign code, so nothing it does — returning
 * something odd, throwing — may escape: every outcome other than `true`
 * becomes a failure in the report, named after the validation.
 */
import type {
  InstanceValidation,
  NamespaceValidation,
  ValidationWorld,
} from "../patch/operations.js";
import type { ValidationFailure } from "./report.js";

export interface NamedNamespaceValidation {
  readonly name: string;
  readonly check: NamespaceValidation;
}

export interface NamedInstanceValidation {
  readonly name: string;
  readonly className: string;
  readonly check: InstanceValidation;
}

/** A failure of an instance validation: `object` is the instance, `index` its position in `instancesOf(className)`. */
export interface InstanceValidationFailure extends ValidationFailure {
  readonly className: string;
  readonly object: object;
  readonly index: number;
}

/**
 * What a check's result means. Only `true` passes: a check that forgets to
 * return (undefined) or is async (a Promise) must fail loudly rather than
 * pass silently.
 */
function outcome(result: unknown, subject: string): string | undefined {
  if (result === true) return undefined;
  if (result === false) return `${subject} failed`;
  if (typeof result === "string") return result === "" ? `${subject} failed` : result;
  if (isThenable(result)) {
    return `${subject} returned a promise; validations run inside the update and must be synchronous`;
  }
  return `${subject} returned ${describe(result)} instead of true, false or a message`;
}

function isThenable(value: unknown): boolean {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  try {
    return typeof (value as { then?: unknown }).then === "function";
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === "object" || typeof value === "function") return `a ${typeof value}`;
  return `${typeof value} ${safeString(value)}`;
}

function thrownMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return safeString(error);
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Runs each namespace validation once over the world; the rule of each failure is the validation's name. */
export function runNamespaceValidations(
  validations: readonly NamedNamespaceValidation[],
  world: ValidationWorld,
): ValidationFailure[] {
  const failures: ValidationFailure[] = [];
  for (const { name, check } of validations) {
    const subject = `validation "${name}"`;
    let message: string | undefined;
    try {
      message = outcome(check(world), subject);
    } catch (error) {
      message = `${subject} threw ${thrownMessage(error)}`;
    }
    if (message !== undefined) failures.push({ rule: name, message });
  }
  return failures;
}

/**
 * Runs each instance validation over every instance of its class in the world
 * (subclasses included, as `instancesOf` gives them). `instancesChecked`
 * counts distinct objects, so two validations of one class do not count its
 * instances twice.
 */
export function runInstanceValidations(
  validations: readonly NamedInstanceValidation[],
  world: ValidationWorld,
): { failures: ValidationFailure[]; instancesChecked: number } {
  const failures: ValidationFailure[] = [];
  const checked = new Set<object>();
  for (const { name, className, check } of validations) {
    let instances: readonly object[];
    try {
      instances = world.instancesOf(className);
    } catch (error) {
      failures.push({
        rule: name,
        className,
        message: `validation "${name}": the instances of ${className} could not be listed: ${thrownMessage(error)}`,
      });
      continue;
    }
    for (let index = 0; index < instances.length; index++) {
      const instance = instances[index]!;
      checked.add(instance);
      const subject = `validation "${name}" of ${className} instance #${index}`;
      let message: string | undefined;
      try {
        message = outcome(check(instance as Readonly<Record<string, unknown>>), subject);
      } catch (error) {
        message = `${subject} threw ${thrownMessage(error)}`;
      }
      if (message === undefined) continue;
      const failure: InstanceValidationFailure = {
        rule: name,
        className,
        object: instance,
        index,
        message: message.startsWith(subject)
          ? message
          : `${className} instance #${index}: ${message}`,
      };
      failures.push(failure);
    }
  }
  return { failures, instancesChecked: checked.size };
}
