/**
 * Running the patch under test inside a property: an update that may be
 * refused, finishing a lazy or progressive migration, and failing the
 * property with a message.
 */
import type { LazyCompletion, UpdateOptions, UpdateResult } from "../../migration/update.js";
import { updateSync } from "../../migration/update.js";
import type { Namespace } from "../../namespace/namespace.js";
import type { Patch } from "../../patch/patch.js";
import type { PropertyName } from "./types.js";
import { PropertyViolation } from "./types.js";
import { noteWarnings } from "./warningLog.js";

export type Attempt =
  | { readonly ok: true; readonly result: UpdateResult }
  | { readonly ok: false; readonly error: unknown };

/** The update, or what refused it. */
export function attempt(ns: Namespace, patch: Patch, options: UpdateOptions = {}): Attempt {
  try {
    const result = updateSync(ns, patch, options);
    noteWarnings(ns, result.warnings);
    return { ok: true, result };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Finishes a lazy or progressive migration: at once, or (`sweep`) by awaiting the progressive sweep. */
export async function settle(result: UpdateResult, sweep = false): Promise<LazyCompletion> {
  if (result.policy === "eager") return result.completion;
  // A sweep that fails rolls the update back and rejects `completion`: report
  // it as the failed object, as completeMigration() does.
  if (sweep && result.policy === "progressive") {
    return result.completion.catch((error: unknown) => ({
      migrated: result.migratedSoFar(),
      failed: [{ object: failedObject(error), error }],
    }));
  }
  return result.completeMigration();
}

function failedObject(error: unknown): object {
  const details = (error as { details?: { object?: unknown } } | null)?.details;
  return typeof details?.object === "object" && details.object !== null ? details.object : {};
}

export function fail(property: PropertyName, message: string): never {
  throw new PropertyViolation(property, message);
}
