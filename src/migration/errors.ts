/**
 * The engine's own refusals (beside the shared ones in src/errors.ts): each
 * is thrown before anything changes.
 */
import { MetamorphError } from "../errors.js";

/** An update was started while another one on the same namespace was still running (from a migrator, a validation, a listener or a health check). */
export class NestedUpdateError extends MetamorphError {
  readonly code = "MM_NESTED_UPDATE";
}

/** An update option has a value the engine cannot honour (an unknown policy, a slice size that is not a positive integer, a hook that is not a function). */
export class InvalidOptionError extends MetamorphError {
  readonly code = "MM_INVALID_OPTION";
}
