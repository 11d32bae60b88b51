/**
 * The engine's own refusals (beside the shared ones in src/errors.ts): each
 * is thrown before anything changes.
 */
import { MetamorphError } from "../errors.js";

/** An update was started while another one on the same namespace was still running (from a migrator, a validation, a listener or a health check). */
export class NestedUpdateError extends MetamorphError {
  readonly code = "MM_NESTED_UPDATE";
}

// Lives in src/errors.ts: the namespace (its instance finder) and the testing kit refuse options too.
export { InvalidOptionError } from "../errors.js";
