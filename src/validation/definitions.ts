/**
 * The definitions rules: a whole new world of class definitions checked for
 * class names, superclass links (known, no cycles) and field declarations.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { isValidClassName } from "../mop/createClass.js";
import { classNameRefusal } from "../namespace/names.js";
import { superclassOf } from "./definitionReading.js";
import { show } from "./describe.js";
import { checkInheritedFields, checkOwnFields } from "./fieldDeclarations.js";
import type { ValidationFailure } from "./report.js";
import { SYSTEM_RULES } from "./systemRules.js";

/** A `cyclic-superclass` failure; `cycle` starts and ends with `className`. */
export interface CyclicSuperclassFailure extends ValidationFailure {
  readonly rule: "cyclic-superclass";
  readonly className: string;
  readonly cycle: readonly string[];
}

type DefinitionEntry = readonly [key: string | undefined, definition: ClassDefinition];

/**
 * Checks a whole set of class definitions — names, superclass links, field
 * names and duplicate fields along every superclass chain. Pass the complete
 * new world: a superclass missing from the set is reported as unknown.
 *
 * Input is treated as untrusted data (it may come from JSON), so malformed
 * members are reported instead of crashing the check.
 */
export function validateDefinitions(
  definitions: ReadonlyMap<string, ClassDefinition> | readonly ClassDefinition[],
): ValidationFailure[] {
  const entries: DefinitionEntry[] = isDefinitionArray(definitions)
    ? definitions.map((d) => [undefined, d] as const)
    : [...definitions.entries()];
  const failures: ValidationFailure[] = [];
  const byName = checkClassNames(entries, failures);
  checkSuperclassesKnown(byName, failures);
  const inCycle = checkCycles(byName, failures);
  for (const [, definition] of entries) checkOwnFields(definition, failures);
  checkInheritedFields(byName, inCycle, failures);
  return failures;
}

function isDefinitionArray(
  definitions: ReadonlyMap<string, ClassDefinition> | readonly ClassDefinition[],
): definitions is readonly ClassDefinition[] {
  return Array.isArray(definitions);
}

function checkClassNames(
  entries: readonly DefinitionEntry[],
  failures: ValidationFailure[],
): Map<string, ClassDefinition> {
  const byName = new Map<string, ClassDefinition>();
  const rule = SYSTEM_RULES.className;
  for (const [key, definition] of entries) {
    const name: unknown = definition.name;
    if (typeof name !== "string" || !isValidClassName(name)) {
      failures.push({
        rule,
        className: String(name),
        message: `${show(name)} is not a valid class name`,
      });
    } else {
      const unsafe = classNameRefusal(name);
      if (unsafe !== undefined) failures.push({ rule, className: name, message: unsafe });
    }
    if (key !== undefined && key !== name) {
      failures.push({
        rule,
        className: String(name),
        message: `the entry "${key}" holds a definition named ${show(name)}; a class is filed under its own name`,
      });
    }
    const superclass: unknown = definition.superclass;
    if (superclass !== null && (typeof superclass !== "string" || !isValidClassName(superclass))) {
      failures.push({
        rule,
        className: String(name),
        message: `class ${String(name)}: superclass ${show(superclass)} is not a valid class name`,
      });
    }
    if (typeof name !== "string") continue;
    if (byName.has(name)) {
      failures.push({ rule, className: name, message: `class ${name} is defined twice` });
      // The first definition stays the one superclass links resolve to.
      continue;
    }
    byName.set(name, definition);
  }
  return byName;
}

function checkSuperclassesKnown(
  byName: ReadonlyMap<string, ClassDefinition>,
  failures: ValidationFailure[],
): void {
  for (const [name, definition] of byName) {
    const superclass = superclassOf(definition);
    if (superclass !== null && !byName.has(superclass)) {
      failures.push({
        rule: SYSTEM_RULES.unknownSuperclass,
        className: name,
        message: `class ${name} extends ${superclass}, which is not a class of the namespace`,
      });
    }
  }
}

/**
 * Finds every superclass cycle. Each class's superclass link is a single
 * out-edge, so one walk per unvisited class, marking the path, finds each cycle
 * exactly once and terminates whatever the input.
 *
 * Returns the classes whose chain runs into a cycle (members and classes below
 * them): their inheritance is meaningless, so no inherited-field check is done
 * for them; the cycle itself is the failure to fix first.
 */
function checkCycles(
  byName: ReadonlyMap<string, ClassDefinition>,
  failures: ValidationFailure[],
): Set<string> {
  const state = new Map<string, "visiting" | "done">();
  const reachesCycle = new Set<string>();
  for (const start of byName.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    let current: string | null = start;
    let hitCycle = false;
    while (current !== null) {
      const seen = state.get(current);
      if (seen === "done") {
        hitCycle = reachesCycle.has(current);
        break;
      }
      if (seen === "visiting") {
        reportCycle(path.slice(path.indexOf(current)), failures);
        hitCycle = true;
        break;
      }
      const definition = byName.get(current);
      if (definition === undefined) break;
      state.set(current, "visiting");
      path.push(current);
      current = superclassOf(definition);
    }
    for (const name of path) {
      state.set(name, "done");
      if (hitCycle) reachesCycle.add(name);
    }
  }
  return reachesCycle;
}

function reportCycle(cycle: readonly string[], failures: ValidationFailure[]): void {
  for (let i = 0; i < cycle.length; i++) {
    const className = cycle[i]!;
    // Each failure starts the loop at its own class so it reads on its own.
    const loop = [...cycle.slice(i), ...cycle.slice(0, i), className];
    const failure: CyclicSuperclassFailure = {
      rule: SYSTEM_RULES.cyclicSuperclass,
      className,
      cycle: loop,
      message: `the superclass chain of ${className} loops: ${loop.join(" → ")}`,
    };
    failures.push(failure);
  }
}
