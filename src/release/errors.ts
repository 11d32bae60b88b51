/**
 * Refusals of the release layer: bundles, their signatures, the release
 * history and the control channel. Each has a stable `code`; `details` name
 * what and where. Nothing of a refused bundle has been compiled or run.
 */
import { MetamorphError } from "../errors.js";

/** Not a bundle: not JSON, a missing or wrong field, a patch that does not read, not in canonical form. */
export class BundleMalformedError extends MetamorphError {
  readonly code = "MM_BUNDLE_MALFORMED";
}

/** Larger than the bound the reader was given (checked before parsing). */
export class BundleOversizeError extends MetamorphError {
  readonly code = "MM_BUNDLE_OVERSIZE";
}

/** Signed by a key the process does not trust. */
export class UnknownKeyError extends MetamorphError {
  readonly code = "MM_BUNDLE_UNKNOWN_KEY";
}

/** The signature does not match the content: the bundle was changed after signing, or forged. */
export class BadSignatureError extends MetamorphError {
  readonly code = "MM_BUNDLE_BAD_SIGNATURE";
}

/** The bundle is for another release than the one running (a replayed or out-of-order bundle), or another namespace. */
export class ReleaseMismatchError extends MetamorphError {
  readonly code = "MM_RELEASE_MISMATCH";
}

/**
 * A bundle's top-level function the service cannot replace: a module it has
 * not loaded (by its path relative to the service's root), a name the module
 * does not bind to a function declaration, a service that does not expose its
 * modules, or a source that is not one function expression.
 */
export class FunctionBindingError extends MetamorphError {
  readonly code = "MM_RELEASE_FUNCTION";
}

/** A key that cannot be read as an Ed25519 key. */
export class InvalidKeyError extends MetamorphError {
  readonly code = "MM_INVALID_KEY";
}

/** A rollback or make-permanent the release history cannot do (nothing to roll back, already permanent). */
export class ReleaseStateError extends MetamorphError {
  readonly code = "MM_RELEASE_STATE";
}

/** A control-channel message that is not a well-formed request. */
export class ControlMessageError extends MetamorphError {
  readonly code = "MM_CONTROL_MALFORMED";
}

/** A control-channel message over the size bound. */
export class ControlOversizeError extends MetamorphError {
  readonly code = "MM_CONTROL_OVERSIZE";
}

/** A connection that did not complete its request in time, or a server that did not answer in time. */
export class ControlTimeoutError extends MetamorphError {
  readonly code = "MM_CONTROL_TIMEOUT";
}

/** The control socket's place is unsafe (a directory others can enter, a socket already served) or unreachable. */
export class ControlSocketError extends MetamorphError {
  readonly code = "MM_CONTROL_SOCKET";
}

/** An attempt to compile or apply a bundle that `verifyBundle` did not return. */
export class UnverifiedBundleError extends MetamorphError {
  readonly code = "MM_BUNDLE_UNVERIFIED";
}

/** Another update is prepared and waiting: it must be committed or aborted (or expire) first. */
export class ReleasePreparedError extends MetamorphError {
  readonly code = "MM_RELEASE_PREPARED";
}

/** No prepared update has that id: it was never prepared here, already committed or aborted, or it expired. */
export class PreparedUnknownError extends MetamorphError {
  readonly code = "MM_PREPARED_UNKNOWN";
}

/**
 * A bundle past the expiry signed into it (`pack --expires`): refused by the
 * service before anything changes, whatever the release it runs.
 */
export class BundleExpiredError extends MetamorphError {
  readonly code = "MM_BUNDLE_EXPIRED";
}

/** A worker of a cluster refused, failed or did not answer, so the cluster update did not happen. */
export class ClusterRefusedError extends MetamorphError {
  readonly code = "MM_CLUSTER_REFUSED";
}

/**
 * A cluster worker started after updates could not replay one of them (the
 * cluster's bundles, in order): it is stopped rather than left running the
 * code on disk.
 */
export class ReplayRefusedError extends MetamorphError {
  readonly code = "MM_RELEASE_REPLAY";
}

/**
 * A commit that reached, or finished, after the deadline its coordinator
 * gave it: the coordinator has given up on it, so it does not stand (it was
 * refused before running, or rolled back inside its own block).
 */
export class CommitDeadlineError extends MetamorphError {
  readonly code = "MM_COMMIT_DEADLINE";
}

/** A cluster worker that exited (or lost its channel) before answering a request. */
export class WorkerExitedError extends MetamorphError {
  readonly code = "MM_WORKER_EXITED";
}
