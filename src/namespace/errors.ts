/** Refusals of the namespace layer that src/errors.ts does not have yet. */
import { MetamorphError } from "../errors.js";

/** A binding name a namespace cannot hold (empty, not a string, or `__proto__`). */
export class InvalidBindingNameError extends MetamorphError {
  readonly code = "MM_INVALID_BINDING_NAME";
}

/**
 * A class would move onto, off or between superclasses outside its namespace
 * (`Map`, `Error`, `HTMLElement`, a package's class): an existing object
 * cannot gain or lose the internal slots and state such a class gives it.
 */
export class ExternalSuperclassError extends MetamorphError {
  readonly code = "MM_EXTERNAL_SUPERCLASS";
}
