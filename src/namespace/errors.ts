/** Refusals of the namespace layer that src/errors.ts does not have yet. */
import { MetamorphError } from "../errors.js";

/** A binding name a namespace cannot hold (empty, not a string, or `__proto__`). */
export class InvalidBindingNameError extends MetamorphError {
  readonly code = "MM_INVALID_BINDING_NAME";
}
