/**
 * Field declarations, one class at a time (names, duplicates, a field and an
 * accessor of one name) and along every superclass chain (a field declared
 * twice on one chain, or hidden by an accessor above or below it).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import {
  accessorNames,
  fieldNameProblem,
  superclassOf,
  validFieldNames,
} from "./definitionReading.js";
import type { ValidationFailure } from "./report.js";
import { SYSTEM_RULES } from "./systemRules.js";

/**
 * A `duplicate-field` failure. `className` is the class lower in the hierarchy
 * (the one whose instances would get the name from two declarations) and
 * `ancestor` the class above it that declares the same name; `ancestor` is
 * absent when the clash is inside one class.
 */
export interface DuplicateFieldFailure extends ValidationFailure {
  readonly rule: "duplicate-field";
  readonly className: string;
  readonly field: string;
  readonly ancestor?: string;
}

export function checkOwnFields(definition: ClassDefinition, failures: ValidationFailure[]): void {
  const className = String(definition.name);
  const fields: unknown = definition.fields;
  if (!Array.isArray(fields)) {
    failures.push({
      rule: SYSTEM_RULES.fieldName,
      className,
      message: `class ${className}: fields is not an array`,
    });
    return;
  }
  const seen = new Set<string>();
  const reportedTwice = new Set<string>();
  for (const field of fields as readonly unknown[]) {
    const name: unknown =
      typeof field === "object" && field !== null ? (field as { name?: unknown }).name : field;
    const problem = fieldNameProblem(name);
    if (problem !== undefined) {
      failures.push({
        rule: SYSTEM_RULES.fieldName,
        className,
        ...(typeof name === "string" ? { field: name } : {}),
        message: `class ${className}: ${problem}`,
      });
      continue;
    }
    const fieldName = name as string;
    if (seen.has(fieldName)) {
      if (!reportedTwice.has(fieldName)) {
        reportedTwice.add(fieldName);
        failures.push(
          duplicate(
            className,
            fieldName,
            undefined,
            `class ${className} declares field "${fieldName}" more than once`,
          ),
        );
      }
      continue;
    }
    seen.add(fieldName);
  }
  // Only a constructor metamorph generates assigns the fields; an ordinary
  // class's own one may define them over its accessors (event-target-shim's
  // Event: `Object.defineProperty(this, "isTrusted", …)` under a getter of
  // that name), and a migration defines a field its prototype chain has
  // (compiledSource.ts). Refused anyway, one such class made every later
  // update of the namespace refused (review advZ1).
  if (!assignsFields(definition)) return;
  for (const accessor of accessorNames(definition)) {
    if (seen.has(accessor.name)) {
      failures.push(
        duplicate(
          className,
          accessor.name,
          undefined,
          `class ${className} declares field "${accessor.name}" and a ${accessor.kind}ter of the same name; ${ACCESSOR_CLASH}`,
        ),
      );
    }
  }
}

/**
 * Why a field may not share its name with an accessor. A class constructor
 * assigns its fields (`this[name] = value`); with a getter or setter of that
 * name anywhere on the instance's prototype chain the assignment runs the
 * accessor (or throws, for a getter alone) and the field is never created, so
 * the instance cannot conform to its shape, and migration copies by name
 * through the accessor. A field that shares its name with a plain *method* is
 * allowed: the own value simply shadows the method, which is a common,
 * deliberate idiom (`this.onClick = this.onClick.bind(this)`).
 */
const ACCESSOR_CLASH =
  "the constructor's assignment to the field would run the accessor instead of creating the field";

/**
 * Duplicate fields along every superclass chain, in both directions: a
 * subclass re-declaring an inherited field and an ancestor declaring a field a
 * subclass already has are the same state of the new world — two declarations
 * of one name on one chain — so each (class, ancestor, name) is reported once,
 * with both classes named. Chains that run into a cycle are skipped (see
 * checkCycles); chains are followed up to an unknown superclass.
 */
export function checkInheritedFields(
  byName: ReadonlyMap<string, ClassDefinition>,
  inCycle: ReadonlySet<string>,
  failures: ValidationFailure[],
): void {
  const fieldsOf = new Map<string, ReadonlySet<string>>();
  const accessorsOf = new Map<string, ReadonlyMap<string, string>>();
  for (const [name, definition] of byName) {
    fieldsOf.set(name, new Set(validFieldNames(definition)));
    accessorsOf.set(name, new Map(accessorNames(definition).map((a) => [a.name, a.kind])));
  }
  for (const [className, definition] of byName) {
    if (inCycle.has(className)) continue;
    const ownFields = fieldsOf.get(className)!;
    const ownAccessors = accessorsOf.get(className)!;
    // Bounded as well as cycle-free: a chain longer than the world would be a cycle missed.
    let steps = 0;
    for (
      let ancestor = superclassOf(definition);
      ancestor !== null && byName.has(ancestor) && steps++ < byName.size;
      ancestor = superclassOf(byName.get(ancestor)!)
    ) {
      const ancestorFields = fieldsOf.get(ancestor)!;
      const ancestorAccessors = accessorsOf.get(ancestor)!;
      for (const field of ownFields) {
        if (ancestorFields.has(field)) {
          failures.push(
            duplicate(
              className,
              field,
              ancestor,
              `class ${className} declares field "${field}", which its ancestor ${ancestor} already declares`,
            ),
          );
        }
        const kind = assignsFields(definition) ? ancestorAccessors.get(field) : undefined;
        if (kind !== undefined) {
          failures.push(
            duplicate(
              className,
              field,
              ancestor,
              `class ${className} declares field "${field}", which collides with the ${kind}ter "${field}" of its ancestor ${ancestor}; ${ACCESSOR_CLASH}`,
            ),
          );
        }
      }
      const assigning = assignsFields(byName.get(ancestor)!);
      for (const [accessor, kind] of ownAccessors) {
        if (assigning && ancestorFields.has(accessor)) {
          failures.push(
            duplicate(
              className,
              accessor,
              ancestor,
              `class ${className} defines a ${kind}ter "${accessor}" over the field "${accessor}" of its ancestor ${ancestor}; ${ACCESSOR_CLASH}`,
            ),
          );
        }
      }
    }
  }
}

/** Whether objects of `definition` get their fields by assignment, from a constructor metamorph generates. */
function assignsFields(definition: ClassDefinition): boolean {
  return definition.fieldOrigin === "created" || definition.fieldOrigin === undefined;
}

function duplicate(
  className: string,
  field: string,
  ancestor: string | undefined,
  message: string,
): DuplicateFieldFailure {
  return {
    rule: SYSTEM_RULES.duplicateField,
    className,
    field,
    ...(ancestor !== undefined ? { ancestor } : {}),
    message,
  };
}
