/**
 * References to removed classes: after an update removes a class, nothing
 * that survives (bindings, instances, their fields) may still refer to it.
 */
import { constructorName, errorMessage } from "./describe.js";
import type { ValidationFailure } from "./report.js";
import { SYSTEM_RULES } from "./systemRules.js";

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
  for (const [binding, value] of input.bindings) {
    const found = findReference(value, owners);
    if (found === undefined) continue;
    failures.push({
      rule: SYSTEM_RULES.removedClassReference,
      className: found.removedClass,
      removedClass: found.removedClass,
      binding,
      message: `binding "${binding}" still refers to removed class ${found.removedClass}: its value ${found.how}`,
    });
  }
  for (const instance of input.instances) checkInstance(instance, owners, failures);
  return failures;
}

/** The instance's prototype chain, its fields and the elements of its array fields. */
function checkInstance(
  instance: object,
  owners: RemovedIndex,
  failures: RemovedClassReferenceFailure[],
): void {
  const rule = SYSTEM_RULES.removedClassReference;
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
      if (descriptor === undefined || !descriptor.enumerable || !("value" in descriptor)) continue;
      checkField(instance, holder, key, descriptor.value, owners, failures);
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

function checkField(
  instance: object,
  holder: string,
  key: string,
  value: unknown,
  owners: RemovedIndex,
  failures: RemovedClassReferenceFailure[],
): void {
  const rule = SYSTEM_RULES.removedClassReference;
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
  if (!Array.isArray(value)) return;
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
