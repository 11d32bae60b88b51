/**
 * System validations: the checks metamorph itself runs on the shadow before an
 * update may commit. Each function is pure — it reads definitions, objects and
 * bindings, changes nothing — and returns every failure it finds rather than
 * stopping at the first, so one report can list everything wrong with a patch.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { isValidClassName } from "../mop/createClass.js";
import type { ValidationFailure } from "./report.js";

/** Rule ids of the system validations; stable, safe to match on. */
export const SYSTEM_RULES = {
  className: "class-name",
  unknownSuperclass: "unknown-superclass",
  cyclicSuperclass: "cyclic-superclass",
  duplicateField: "duplicate-field",
  fieldName: "field-name",
  conformance: "conformance",
  removedClassReference: "removed-class-reference",
} as const;

export type SystemRule = (typeof SYSTEM_RULES)[keyof typeof SYSTEM_RULES];

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

/** A `cyclic-superclass` failure; `cycle` starts and ends with `className`. */
export interface CyclicSuperclassFailure extends ValidationFailure {
  readonly rule: "cyclic-superclass";
  readonly className: string;
  readonly cycle: readonly string[];
}

// --- Definitions ------------------------------------------------------------

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

/**
 * Field names: any non-empty string works as a property key, except `#x`
 * (private names cannot be reflected or copied) and `__proto__`, which a
 * constructor's `this["__proto__"] = v` would turn into a prototype change
 * instead of a field.
 */
function fieldNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return `${show(name)} is not a string`;
  if (name.length === 0) return "the empty string is not a field name";
  if (name.startsWith("#"))
    return `"${name}" is private; private fields cannot be declared as data fields`;
  if (name === "__proto__")
    return `"__proto__" would set the prototype instead of creating a field`;
  return undefined;
}

function checkOwnFields(definition: ClassDefinition, failures: ValidationFailure[]): void {
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
function checkInheritedFields(
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
        const kind = ancestorAccessors.get(field);
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
      for (const [accessor, kind] of ownAccessors) {
        if (ancestorFields.has(accessor)) {
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

function superclassOf(definition: ClassDefinition): string | null {
  const superclass: unknown = definition.superclass;
  return typeof superclass === "string" ? superclass : null;
}

function validFieldNames(definition: ClassDefinition): string[] {
  const fields: unknown = definition.fields;
  if (!Array.isArray(fields)) return [];
  const names: string[] = [];
  for (const field of fields as readonly unknown[]) {
    const name: unknown =
      typeof field === "object" && field !== null ? (field as { name?: unknown }).name : undefined;
    if (fieldNameProblem(name) === undefined) names.push(name as string);
  }
  return names;
}

/** Instance (non-static), string-keyed getters and setters: the only members that can hijack a field. */
function accessorNames(definition: ClassDefinition): { name: string; kind: "get" | "set" }[] {
  const methods: unknown = definition.methods;
  if (!Array.isArray(methods)) return [];
  const out: { name: string; kind: "get" | "set" }[] = [];
  const seen = new Set<string>();
  for (const method of definition.methods) {
    if (method.static || (method.kind !== "get" && method.kind !== "set")) continue;
    if (typeof method.key !== "string" || seen.has(method.key)) continue;
    seen.add(method.key);
    out.push({ name: method.key, kind: method.kind });
  }
  return out;
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : safeString(value);
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

// --- Conformance --------------------------------------------------------------

export interface ConformanceExpectation {
  readonly className: string;
  /** The instance's fields in the order its constructor creates them, inherited ones first. */
  readonly fields: readonly string[];
  readonly prototype: object;
}

/**
 * Checks that a migrated object has exactly the shape of its new class: its
 * own string-keyed enumerable data properties are `fields`, in that order, and
 * its prototype is `prototype`. Symbol-keyed and non-enumerable own properties
 * are metadata (brands, handles, lazy-migration marks) and are allowed.
 *
 * The expected order is the one JavaScript itself gives the keys: array-index
 * names ("0", "12") always come first in ascending order whatever order they
 * were created in, so a definition listing them elsewhere is not a failure of
 * the object.
 */
export function validateConformance(
  instance: object,
  expected: ConformanceExpectation,
): ValidationFailure[] {
  const rule = SYSTEM_RULES.conformance;
  const { className } = expected;
  let keys: (string | symbol)[];
  let prototype: object | null;
  const actual: string[] = [];
  const notFields = new Map<string, string>();
  try {
    keys = Reflect.ownKeys(instance);
    prototype = Reflect.getPrototypeOf(instance);
    for (const key of keys) {
      if (typeof key !== "string") continue;
      const descriptor = Reflect.getOwnPropertyDescriptor(instance, key);
      if (descriptor === undefined) continue;
      if (!("value" in descriptor)) notFields.set(key, "an accessor, not a data property");
      else if (!descriptor.enumerable) notFields.set(key, "not enumerable");
      else actual.push(key);
    }
  } catch (error) {
    return [
      {
        rule,
        className,
        object: instance,
        message: `a ${className} instance could not be inspected: ${errorMessage(error)}`,
      },
    ];
  }

  const failures: ValidationFailure[] = [];
  const { order: expectedOrder, set: expectedSet } = expectedShape(expected.fields);
  const actualSet = new Set(actual);
  const missing = expectedOrder.filter((f) => !actualSet.has(f));
  const extra = actual.filter((f) => !expectedSet.has(f));
  const actualCommon = actual.filter((f) => expectedSet.has(f));
  const expectedCommon = expectedOrder.filter((f) => actualSet.has(f));
  const outOfOrder = actualCommon.some((f, i) => f !== expectedCommon[i]);
  if (missing.length > 0 || extra.length > 0 || outOfOrder) {
    const parts: string[] = [];
    if (missing.length > 0) {
      const described = missing.map((f) => {
        const why = notFields.get(f);
        return why === undefined ? `"${f}"` : `"${f}" (present but ${why})`;
      });
      parts.push(`missing ${plural(missing.length, "field")} ${described.join(", ")}`);
    }
    if (extra.length > 0) {
      parts.push(`extra ${plural(extra.length, "field")} ${extra.map((f) => `"${f}"`).join(", ")}`);
    }
    if (outOfOrder) {
      parts.push(
        `fields out of order: [${actualCommon.join(", ")}] instead of [${expectedCommon.join(", ")}]`,
      );
    }
    const single = outOfOrder ? [] : [...missing, ...extra];
    failures.push({
      rule,
      className,
      ...(single.length === 1 ? { field: single[0]! } : {}),
      object: instance,
      message: `a ${className} instance does not have the shape of ${className}: ${parts.join("; ")}`,
    });
  }
  if (prototype !== expected.prototype) {
    failures.push({
      rule,
      className,
      object: instance,
      message: `a ${className} instance has the prototype ${describePrototype(prototype)} instead of ${describePrototype(expected.prototype)}`,
    });
  }
  return failures;
}

/**
 * The engine checks every instance of a class against one `fields` array, so
 * its canonical order is worked out once per array, not once per instance.
 */
const shapes = new WeakMap<readonly string[], { order: string[]; set: ReadonlySet<string> }>();

function expectedShape(fields: readonly string[]): { order: string[]; set: ReadonlySet<string> } {
  let shape = shapes.get(fields);
  if (shape === undefined) {
    const order = canonicalKeyOrder(fields);
    shape = { order, set: new Set(order) };
    shapes.set(fields, shape);
  }
  return shape;
}

/** The order JavaScript gives these keys on an ordinary object (and duplicates removed). */
function canonicalKeyOrder(fields: readonly string[]): string[] {
  // A null-prototype probe: "__proto__" becomes an ordinary key, not a prototype change.
  const probe: Record<string, true> = Object.create(null);
  for (const field of fields) probe[field] = true;
  return Object.keys(probe);
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function describePrototype(prototype: object | null): string {
  if (prototype === null) return "null";
  const name = constructorName(prototype);
  return name === undefined ? "of another object" : `${name}.prototype`;
}

/** The name of the class a prototype belongs to, read without running any getter. */
function constructorName(prototype: object): string | undefined {
  try {
    const descriptor = Reflect.getOwnPropertyDescriptor(prototype, "constructor");
    const ctor: unknown = descriptor?.value;
    if (typeof ctor !== "function") return undefined;
    const nameDescriptor = Reflect.getOwnPropertyDescriptor(ctor, "name");
    return typeof nameDescriptor?.value === "string" && nameDescriptor.value !== ""
      ? nameDescriptor.value
      : undefined;
  } catch {
    return undefined;
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return safeString(error);
}

// --- References to removed classes ------------------------------------------

export interface RemovedClass {
  /** Every prototype the class has had (old versions included): instances of any of them are the class's. */
  readonly prototypes: readonly object[];
  /** The class as the program sees it (its binding's value). */
  readonly handle: Function;
}

export interface RemovedClassReferencesInput {
  readonly removed: ReadonlyMap<string, RemovedClass>;
  /** The shadow's bindings. */
  readonly bindings: ReadonlyMap<string, unknown>;
  /** The instances that survive the update (of classes that are not removed). */
  readonly instances: Iterable<object>;
}

/**
 * A `removed-class-reference` failure. `removedClass` is the class still
 * referred to; for a binding, `className` is that class too and `binding`
 * names the binding; for an object, `className` is the class of the object
 * that holds the reference (so `className.field` reads as where it is).
 * An object whose inspection throws (a proxy) is reported too, without
 * `removedClass`: it cannot be shown to be free of references.
 */
export interface RemovedClassReferenceFailure extends ValidationFailure {
  readonly rule: "removed-class-reference";
  /** Absent only when the holder could not be inspected at all. */
  readonly removedClass?: string;
  readonly binding?: string;
}

/**
 * Finds what still refers to a removed class: a binding whose value is the
 * class, one of its prototypes, an instance or a subclass of it; a surviving
 * instance whose own prototype chain still contains it; and a field of a
 * surviving instance (own string-keyed enumerable data property, and the
 * elements of an array held by such a field) with such a value.
 *
 * Only one level is looked into: Maps, Sets and nested objects are not
 * traversed (finding every reference would need a heap walk).
 */
export function validateRemovedClassReferences(
  input: RemovedClassReferencesInput,
): RemovedClassReferenceFailure[] {
  if (input.removed.size === 0) return [];
  const owners = indexRemoved(input.removed);
  const failures: RemovedClassReferenceFailure[] = [];
  const rule = SYSTEM_RULES.removedClassReference;

  for (const [binding, value] of input.bindings) {
    const found = findReference(value, owners);
    if (found === undefined) continue;
    failures.push({
      rule,
      className: found.removedClass,
      removedClass: found.removedClass,
      binding,
      message: `binding "${binding}" still refers to removed class ${found.removedClass}: its value ${found.how}`,
    });
  }

  for (const instance of input.instances) {
    let holder = "object";
    try {
      const prototype = Reflect.getPrototypeOf(instance);
      holder = (prototype !== null && constructorName(prototype)) || "object";
      const inherited = removedAncestor(prototype, owners);
      if (inherited !== undefined) {
        failures.push({
          rule,
          className: holder,
          removedClass: inherited,
          object: instance,
          message: `a surviving ${holder} still inherits from removed class ${inherited}: ${inherited}'s prototype is on its prototype chain`,
        });
      }
      for (const key of Reflect.ownKeys(instance)) {
        if (typeof key !== "string") continue;
        const descriptor = Reflect.getOwnPropertyDescriptor(instance, key);
        if (descriptor === undefined || !descriptor.enumerable || !("value" in descriptor))
          continue;
        const value: unknown = descriptor.value;
        const found = findReference(value, owners);
        if (found !== undefined) {
          failures.push({
            rule,
            className: holder,
            field: key,
            removedClass: found.removedClass,
            object: instance,
            message: `field "${key}" of a ${holder} still refers to removed class ${found.removedClass}: its value ${found.how}`,
          });
        }
        if (Array.isArray(value)) {
          const elements: readonly unknown[] = value;
          for (let i = 0; i < elements.length; i++) {
            const element = findReference(elements[i], owners);
            if (element === undefined) continue;
            failures.push({
              rule,
              className: holder,
              field: `${key}[${i}]`,
              removedClass: element.removedClass,
              object: instance,
              message: `element ${i} of field "${key}" of a ${holder} still refers to removed class ${element.removedClass}: it ${element.how}`,
            });
          }
        }
      }
    } catch (error) {
      // A proxy whose traps throw cannot be proven free of references.
      failures.push({
        rule,
        className: holder,
        object: instance,
        message: `a surviving ${holder} could not be inspected for references to removed classes: ${errorMessage(error)}`,
      });
    }
  }
  return failures;
}

interface RemovedIndex {
  readonly byPrototype: ReadonlyMap<object, string>;
  readonly byHandle: ReadonlyMap<object, string>;
}

function indexRemoved(removed: ReadonlyMap<string, RemovedClass>): RemovedIndex {
  const byPrototype = new Map<object, string>();
  const byHandle = new Map<object, string>();
  for (const [name, entry] of removed) {
    byHandle.set(entry.handle, name);
    for (const prototype of entry.prototypes) byPrototype.set(prototype, name);
  }
  return { byPrototype, byHandle };
}

/** Chains longer than this are treated as ending: prototype chains are short, and proxies could fake endless ones. */
const MAX_CHAIN = 10_000;

/** The removed class whose prototype is `prototype` or on its chain, if any. */
function removedAncestor(prototype: object | null, owners: RemovedIndex): string | undefined {
  let link = prototype;
  for (let depth = 0; link !== null && depth < MAX_CHAIN; depth++) {
    const owner = owners.byPrototype.get(link);
    if (owner !== undefined) return owner;
    link = Reflect.getPrototypeOf(link);
  }
  return undefined;
}

/**
 * How `value` refers to a removed class, if it does: it is the class or one of
 * its prototypes, or its prototype chain contains one of them (an instance of
 * it, or — for a function — a subclass of it).
 */
function findReference(
  value: unknown,
  owners: RemovedIndex,
): { removedClass: string; how: string } | undefined {
  if ((typeof value !== "object" && typeof value !== "function") || value === null)
    return undefined;
  const asHandle = owners.byHandle.get(value);
  if (asHandle !== undefined) return { removedClass: asHandle, how: "is the class itself" };
  const asPrototype = owners.byPrototype.get(value);
  if (asPrototype !== undefined) {
    return { removedClass: asPrototype, how: `is the prototype of ${asPrototype}` };
  }
  let link = Reflect.getPrototypeOf(value);
  for (let depth = 0; link !== null && depth < MAX_CHAIN; depth++) {
    const instanceOf = owners.byPrototype.get(link);
    if (instanceOf !== undefined) {
      return { removedClass: instanceOf, how: `is an instance of ${instanceOf}` };
    }
    const subclassOf = owners.byHandle.get(link);
    if (subclassOf !== undefined)
      return { removedClass: subclassOf, how: `is a subclass of ${subclassOf}` };
    link = Reflect.getPrototypeOf(link);
  }
  return undefined;
}
