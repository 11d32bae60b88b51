/**
 * Conformance: a migrated object has exactly the shape of its new class — its
 * fields in the order the constructor creates them, and the class's prototype.
 */
import { constructorName, errorMessage } from "./describe.js";
import type { ValidationFailure } from "./report.js";
import { SYSTEM_RULES } from "./systemRules.js";

export interface ConformanceExpectation {
  readonly className: string;
  /** The instance's fields in the order its constructor creates them, inherited ones first. */
  readonly fields: readonly string[];
  readonly prototype: object;
  /**
   * Fields the class's constructor may create although its source does not
   * name them (assigned conditionally, by a computed key…): not extra.
   */
  readonly unseen?: { readonly names: ReadonlySet<string>; readonly any: boolean };
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
  const unseen = expected.unseen;
  const extra = actual.filter(
    (f) => !expectedSet.has(f) && !(unseen !== undefined && (unseen.any || unseen.names.has(f))),
  );
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
