/**
 * Delivering updates to a running service from outside: signed patch
 * bundles, the release history (current, permanent, old), and the control
 * channel (a Unix domain socket) with its client. See docs/production.md.
 */
export type { ApplyOutcome, ApplyProgress, ReleaseTarget } from "./applyBundle.js";
export { applyBundle, checkRelease } from "./applyBundle.js";
export type {
  Bundle,
  BundleFunction,
  BundleManifest,
  BundleOptions,
  BundlePayload,
  BundleSignature,
} from "./bundle.js";
export { BUNDLE_FORMAT, bundleId } from "./bundle.js";
export type { ConnectOptions, ControlClient, FinalMessage, ProgressMessage } from "./client.js";
export { connect } from "./client.js";
export { describeBundle } from "./describe.js";
export { describeStatus } from "./describeStatus.js";
export {
  BadSignatureError,
  BundleExpiredError,
  BundleMalformedError,
  BundleOversizeError,
  ClusterRefusedError,
  CommitDeadlineError,
  ControlMessageError,
  ControlOversizeError,
  ControlSocketError,
  ControlTimeoutError,
  FunctionBindingError,
  InvalidKeyError,
  PreparedUnknownError,
  ReleaseMismatchError,
  ReleasePreparedError,
  ReleaseStateError,
  ReplayRefusedError,
  UnknownKeyError,
  UnverifiedBundleError,
  WorkerExitedError,
} from "./errors.js";
export type { FunctionBinding, ServiceModules } from "./functions.js";
export type { ControlEvent } from "./controlEvents.js";
export { formatControlEvent } from "./controlEvents.js";
export type { HealthWindowOptions } from "./healthWindow.js";
export { watchHealth } from "./healthWindow.js";
export type {
  AppliedRelease,
  ReleaseHistoryOptions,
  ReleaseRecord,
  ReleaseState,
  ReleaseStatus,
  ReleaseWarning,
} from "./history.js";
export { ReleaseHistory } from "./history.js";
export type { KeyFiles } from "./keyFiles.js";
export { readPrivateKeyFile, readPublicKeyFile, writeKeyFiles } from "./keyFiles.js";
export type { KeyPair, PrivateKeyInput, PublicKeyInput } from "./keys.js";
export { generateKeys, keyIdOf } from "./keys.js";
export type { PackOptions } from "./pack.js";
export { packBundle } from "./pack.js";
export type { ControlCommand, ControlMessage, ControlRequest, WireError } from "./protocol.js";
export type { ReadBundleOptions } from "./readBundle.js";
export { MAX_BUNDLE_BYTES, readBundle } from "./readBundle.js";
export type { ServedNamespace } from "./serve.js";
export { serveNamespace } from "./serve.js";
export type { ControlServer, ListenOptions } from "./server.js";
export { listen } from "./server.js";
export { controlPath, defaultRuntimeDir, defaultSocketPath } from "./socketPlace.js";
export type { VerifiedBundle } from "./verify.js";
export { isVerified, patchesOf, verifyBundle } from "./verify.js";
