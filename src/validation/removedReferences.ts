/**
 * References to removed classes: after an update removes a class, nothing
 * that survives (bindings, instances, their fields) may still refer to it.
 */
import {
  type ContainedReference,
  type ContainerWalk,
  containerWalk,
} from "./containedReferences.js";
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
  /** The static fields of the surviving classes whose values the update keeps: class name → static name → value. */
  readonly statics?: ReadonlyMap<string, ReadonlyMap<string, unknown>>;
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
 * Finds what still refers to a removed class: a binding or a static field
 * whose value is the class, one of its prototypes, an instance or a
 * subclass of it; a surviving instance whose own prototype chain still
 * contains it; a field of a surviving instance (own string-keyed enumerable
 * data property, and the elements of an array held by such a field) with
 * such a value; and such a value inside the arrays, Maps (keys and values),
 * Sets and plain objects these hold, a few levels down and within a budget
 * (containedReferences.ts: finding every reference would need a heap walk).
 */
export function validateRemovedClassReferences(
  input: RemovedClassReferencesInput,
): RemovedClassReferenceFailure[] {
  if (input.removed.size === 0) return [];
  const owners = indexRemoved(input.removed);
  const walk = containerWalk((value) => findReference(value, owners));
  const failures: RemovedClassReferenceFailure[] = [];
  for (const [binding, value] of input.bindings) {
    for (const found of heldBy(value, binding, owners, walk)) {
      failures.push({
        rule: SYSTEM_RULES.removedClassReference,
        className: found.removedClass,
        removedClass: found.removedClass,
        binding,
        message: `binding "${binding}" still refers to removed class ${found.removedClass}: ${found.what}`,
      });
    }
  }
  for (const [className, statics] of input.statics ?? []) {
    for (const [name, value] of statics) {
      for (const found of heldBy(value, name, owners, walk)) {
        failures.push({
          rule: SYSTEM_RULES.removedClassReference,
          className,
          field: found.path,
          removedClass: found.removedClass,
          message: `static field "${name}" of class ${className} still refers to removed class ${found.removedClass}: ${found.what}`,
        });
      }
    }
  }
  for (const instance of input.instances) checkInstance(instance, owners, walk, failures);
  return failures;
}

/** The references a binding's or a static's value holds: itself, then what it contains. */
function heldBy(
  value: unknown,
  name: string,
  owners: RemovedIndex,
  walk: ContainerWalk,
): { removedClass: string; path: string; what: string }[] {
  const out: { removedClass: string; path: string; what: string }[] = [];
  const found = findReference(value, owners);
  if (found !== undefined)
    out.push({ removedClass: found.removedClass, path: name, what: `its value ${found.how}` });
  for (const r of walk.inside(value, name))
    out.push({ removedClass: r.removedClass, path: r.path, what: `\`${r.path}\` ${r.how}` });
  return out;
}

/** The instance's prototype chain, its fields, the elements of its array fields and what they hold. */
function checkInstance(
  instance: object,
  owners: RemovedIndex,
  walk: ContainerWalk,
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
      checkField(instance, holder, key, descriptor.value, owners, walk, failures);
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
  walk: ContainerWalk,
  failures: RemovedClassReferenceFailure[],
): void {
  const rule = SYSTEM_RULES.removedClassReference;
  const contained = (r: ContainedReference) =>
    failures.push({
      rule,
      className: holder,
      field: r.path,
      removedClass: r.removedClass,
      object: instance,
      message: `field "${key}" of a ${holder} still refers to removed class ${r.removedClass}: \`${r.path}\` ${r.how}`,
    });
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
  if (!Array.isArray(value)) {
    walk.inside(value, key).forEach(contained);
    return;
  }
  // Every element of an array field, as always; below them, within the walk's bounds.
  const elements: readonly unknown[] = value;
  for (let i = 0; i < elements.length; i++) {
    const element = findReference(elements[i], owners);
    if (element !== undefined)
      failures.push({
        rule,
        className: holder,
        field: `${key}[${i}]`,
        removedClass: element.removedClass,
        object: instance,
        message: `element ${i} of field "${key}" of a ${holder} still refers to removed class ${element.removedClass}: it ${element.how}`,
      });
    walk.inside(elements[i], `${key}[${i}]`, 1).forEach(contained);
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
