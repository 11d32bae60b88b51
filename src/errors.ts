/**
 * Every code a {@link MetamorphError} can carry, one per kind of refusal (the
 * error classes of every layer: the engine, the release and control channel,
 * the testing kit, the command line). `docs/refusals.md` says for each what
 * it means and what to do. A warning (`UpdateWarning`) has codes of its own.
 */
export type ErrorCode =
  | "MM_AFTER_COMMIT_FAILED"
  | "MM_BUNDLE_BAD_SIGNATURE"
  | "MM_BUNDLE_EXPIRED"
  | "MM_BUNDLE_MALFORMED"
  | "MM_BUNDLE_OVERSIZE"
  | "MM_BUNDLE_UNKNOWN_KEY"
  | "MM_BUNDLE_UNVERIFIED"
  | "MM_CLUSTER_REFUSED"
  | "MM_COMMIT_DEADLINE"
  | "MM_COMMIT_FAILED"
  | "MM_CONSTRUCTED_OUTSIDE_WORLD"
  | "MM_CONSTRUCT_FAILED"
  | "MM_CONTROL_MALFORMED"
  | "MM_CONTROL_OVERSIZE"
  | "MM_CONTROL_SOCKET"
  | "MM_CONTROL_TIMEOUT"
  | "MM_DEV_CUSTOM_ELEMENT_DEFINITION"
  | "MM_DEV_PRIVATE_MEMBERS"
  | "MM_DEV_TOP_LEVEL_ONLY_BINDING"
  | "MM_DEV_UNMANAGED_SUPERCLASS"
  | "MM_DIFF_SOURCE"
  | "MM_DUPLICATE_BINDING"
  | "MM_EXTERNAL_SUPERCLASS"
  | "MM_FILE_ACCESS"
  | "MM_FINDER_UNAVAILABLE"
  | "MM_INVALID_ARGUMENT"
  | "MM_INVALID_BINDING_NAME"
  | "MM_INVALID_DEFINITION"
  | "MM_INVALID_KEY"
  | "MM_INVALID_OPTION"
  | "MM_INVALID_PATCH"
  | "MM_LIFECYCLE"
  | "MM_MIGRATION_CHECK"
  | "MM_MIGRATION_FAILED"
  | "MM_MIGRATION_SIDE_EFFECT"
  | "MM_NESTED_UPDATE"
  | "MM_NOT_HYDRATED"
  | "MM_PARSER_UNAVAILABLE"
  | "MM_PATCH_CONFLICT"
  | "MM_PATCH_MODULE"
  | "MM_PREPARED_UNKNOWN"
  | "MM_PRIVATE_STATE"
  | "MM_RELEASE_FUNCTION"
  | "MM_RELEASE_MISMATCH"
  | "MM_RELEASE_PREPARED"
  | "MM_RELEASE_REPLAY"
  | "MM_RELEASE_STATE"
  | "MM_ROLLBACK"
  | "MM_RUN_START"
  | "MM_STALE_SHADOW"
  | "MM_SWAP_ARGUMENTS"
  | "MM_UNDO"
  | "MM_UNKNOWN_BINDING"
  | "MM_UNKNOWN_FIELD"
  | "MM_UNMANAGED_CLASS"
  | "MM_UNSWAPPABLE_OBJECT"
  | "MM_UNTRUSTED_PATCH"
  | "MM_VALIDATION_FAILED"
  | "MM_WORKER_EXITED"
  | "MM_WORLD_SOURCE";

/**
 * Every refusal metamorph makes is one of these classes. Each kind has a stable
 * `code` (safe to match on in programs and logs) and a `details` record naming
 * what is wrong and where; the message is for people.
 */
export abstract class MetamorphError extends Error {
  abstract readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = Object.freeze({ ...details });
  }
}

/** A field name that the object's class does not define. */
export class UnknownFieldError extends MetamorphError {
  readonly code = "MM_UNKNOWN_FIELD";
}

/**
 * An entry point was given an argument of the wrong kind (something that is
 * not a namespace, an object, …): what a JavaScript caller, or a TypeScript
 * caller through `any`, can pass. Refused before anything is read from it.
 */
export class InvalidArgumentError extends MetamorphError {
  readonly code = "MM_INVALID_ARGUMENT";
}

/** An option has a value that cannot be honoured (an unknown update policy or instance finder, a slice size that is not a positive integer, a hook that is not a function, a testing property that does not exist). */
export class InvalidOptionError extends MetamorphError {
  readonly code = "MM_INVALID_OPTION";
}

/** A class definition that cannot be turned into a class (bad name, bad member, duplicate field). */
export class InvalidClassDefinitionError extends MetamorphError {
  readonly code = "MM_INVALID_DEFINITION";
}

/** A class that no namespace manages was given where a managed one is needed. */
export class UnmanagedClassError extends MetamorphError {
  readonly code = "MM_UNMANAGED_CLASS";
}

/** Arguments of swapObjects / forwardObjects that do not pair up (lengths, duplicates, primitives). */
export class SwapArgumentError extends MetamorphError {
  readonly code = "MM_SWAP_ARGUMENTS";
}

/** An object that cannot be rewritten in place (frozen, sealed, non-extensible, private fields, array vs plain). */
export class UnswappableObjectError extends MetamorphError {
  readonly code = "MM_UNSWAPPABLE_OBJECT";
}

/** The requested instance-finding backend cannot run here (e.g. the heap query outside Node). */
export class InstanceFinderUnavailableError extends MetamorphError {
  readonly code = "MM_FINDER_UNAVAILABLE";
}

/** A class whose private `#` state cannot be carried over without a cooperative export hook. */
export class PrivateStateError extends MetamorphError {
  readonly code = "MM_PRIVATE_STATE";
}

/** A binding name that is already taken in a namespace. */
export class DuplicateBindingError extends MetamorphError {
  readonly code = "MM_DUPLICATE_BINDING";
}

/** A binding name that a namespace does not hold. */
export class UnknownBindingError extends MetamorphError {
  readonly code = "MM_UNKNOWN_BINDING";
}

/** A shadow built on a namespace version that is no longer the live one. */
export class StaleShadowError extends MetamorphError {
  readonly code = "MM_STALE_SHADOW";
}

/** An undo record applied out of order or twice. */
export class UndoError extends MetamorphError {
  readonly code = "MM_UNDO";
}

/** The TypeScript compiler, needed to read class source text, cannot be loaded here (not installed, or no Node `require`). */
export class SourceParserUnavailableError extends MetamorphError {
  readonly code = "MM_PARSER_UNAVAILABLE";
}

/** A patch that is malformed or does not fit the namespace it is applied to. */
export class InvalidPatchError extends MetamorphError {
  readonly code = "MM_INVALID_PATCH";
}

/** Two patches whose steps conflict cannot be composed. */
export class PatchConflictError extends MetamorphError {
  readonly code = "MM_PATCH_CONFLICT";
}

/** A patch read from JSON whose functions have not been hydrated explicitly. */
export class NotHydratedError extends MetamorphError {
  readonly code = "MM_NOT_HYDRATED";
}

/** An error that carries the full report of what was checked. */
export abstract class ReportedError<R> extends MetamorphError {
  readonly report: R;
  constructor(message: string, report: R, details: Record<string, unknown> = {}) {
    super(message, details);
    this.report = report;
  }
}

/** An application migrator or field initialiser threw; `cause` is what it threw. */
export class MigrationError extends MetamorphError {
  readonly code = "MM_MIGRATION_FAILED";
}

/**
 * Migration code (a migrator, a field initialiser) wrote to something other
 * than the object it migrates — another live instance, a class prototype or
 * constructor, Object.prototype — before the update was decided. The write
 * was undone; the update is refused. `details` names the `target` and `key`.
 */
export class MigrationSideEffectError extends MetamorphError {
  readonly code = "MM_MIGRATION_SIDE_EFFECT";
}

/** Something threw inside the commit; everything it touched was restored. */
export class CommitError extends MetamorphError {
  readonly code = "MM_COMMIT_FAILED";
}

/**
 * An afterCommit hook of the patch threw (or returned a promise). The update
 * had committed; it was rolled back at once, in the same synchronous block:
 * every object restored exactly, the old version reinstalled, the
 * afterRollback hooks run. `details` names the hook and has the `cause`.
 */
export class AfterCommitError extends MetamorphError {
  readonly code = "MM_AFTER_COMMIT_FAILED";
}

/** An update that cannot be rolled back (already permanent, or superseded). */
export class RollbackError extends MetamorphError {
  readonly code = "MM_ROLLBACK";
}

/** The update lifecycle or a manager was used wrongly (a second hold on one tracker, an update given to a closed manager, a quiescence criterion without a call tracker). */
export class LifecycleError extends MetamorphError {
  readonly code = "MM_LIFECYCLE";
}
