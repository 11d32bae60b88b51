/**
 * State that a class outside the namespace keeps in its instances' own
 * properties (an Array subclass's elements, EventEmitter's `_events`): a
 * migration rewrites an object's own enumerable fields to its new class's,
 * so it would delete them. Until migrations carry own properties they do not
 * know about, an instance holding such state is refused before anything
 * changes, naming the property and the object.
 */
import { ExternalSuperclassError } from "../namespace/errors.js";

export interface ExternalStateExpectation {
  readonly className: string;
  /** The class outside the namespace that the class's root extends. */
  readonly external: Function;
  /** Every field of the class's old version, inherited first. */
  readonly fields: readonly string[];
}

/** Throws when `object` has an own enumerable property that is none of the class's fields. */
export function requireNoExternalState(
  object: object,
  index: number,
  expected: ExternalStateExpectation,
): void {
  const known = new Set(expected.fields);
  const foreign = Object.keys(object).find((key) => !known.has(key));
  if (foreign === undefined) return;
  const { className, external } = expected;
  throw new ExternalSuperclassError(
    `${className} instance #${index} holds own property "${foreign}", which ${external.name} (outside the namespace) or other code put there and which is none of ${className}'s fields: migrating the object would delete it. Change only ${className}'s methods (its instances then do not migrate), or restart the program`,
    { className, index, property: foreign, object, superclass: external.name },
  );
}
