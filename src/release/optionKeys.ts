/**
 * The release API's options objects — listen's, applyBundle's and
 * checkRelease's target, connect's, packBundle's, readBundle's, a
 * ReleaseHistory's, watchHealth's, serveNamespace's — checked before
 * anything happens, as the lifecycle checks its own (lifecycle/optionKeys.ts:
 * MM_INVALID_OPTION, naming the keys the call takes and the one likely
 * meant). A misspelt key was ignored: `packBundle(p, { polcy: "lazy", … })`
 * signed an eager bundle, `listen({ …, requestTimeout: 500 })` kept 10 s.
 */
import { requireKnownKeys } from "../lifecycle/optionKeys.js";
import type { KeyGuesses } from "../unknownKeys.js";

export { keys } from "../lifecycle/optionKeys.js";

/** Names callers reach for, and the key each means (offered only where the call has it). */
const GUESSES: KeyGuesses = new Map([
  ["trusted", "trust"],
  ["keys", "trust"],
  ["publicKeys", "trust"],
  ["trustedKeys", "trust"],
  ["socket", "path"],
  ["socketPath", "path"],
  ["release", "version"],
  ["from", "fromVersion"],
  ["to", "toVersion"],
  ["author", "createdBy"],
  ["expiry", "expires"],
  ["expiresAt", "expires"],
  ["timeout", "timeoutMs"],
  ["requestTimeout", "requestTimeoutMs"],
  ["healthWindow", "healthCheckWindowMs"],
  ["healthCheckWindow", "healthCheckWindowMs"],
  ["maxSize", "maxBytes"],
  ["limit", "maxBytes"],
  ["onEvent", "onControlEvent"],
  ["id", "releaseId"],
  ["interval", "intervalMs"],
  ["window", "windowMs"],
  ["onDone", "onEnd"],
  ["quiescence", "forceQuiescence"],
  ["keepLast", "keep"],
]);

/** Refuses `options` when it is not an object or has a key `known` lacks. */
export function requireReleaseOptions(
  options: unknown,
  known: readonly string[],
  call: string,
  where = call,
): void {
  requireKnownKeys(options, known, call, where, "option", GUESSES);
}
