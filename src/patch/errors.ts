/** Refusals of the patch layer that src/errors.ts does not have yet. */
import { MetamorphError } from "../errors.js";

/**
 * A patch read from JSON that nobody vouched for: its code (methods,
 * accessors, initialisers, defaults, migrators, validations) is not compiled
 * — not hydrated, not applied — until its signature is verified or the
 * program opts in explicitly (`Patch.fromJSON(json, { trust: "in-process" })`).
 */
export class UntrustedPatchError extends MetamorphError {
  readonly code = "MM_UNTRUSTED_PATCH";
}
