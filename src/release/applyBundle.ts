/**
 * Applying a bundle to a running namespace, in the order that keeps the
 * trust boundary: read (bounded, inert) → verify the signature → check that
 * the process runs the bundle's from-version (a replayed or out-of-order
 * bundle is refused here) and that it has every module and top-level
 * function the bundle replaces → compile the patches and functions → run the update through the
 * lifecycle with the bundle's options → record the release. Every refusal
 * before the lifecycle is a typed error with nothing compiled; the
 * lifecycle's own outcomes (postponed, failed, rolled back) come back as a
 * result with nothing changed.
 */
// Through the lifecycle's entry point: its internal files are being reshaped around the engine's phases.
import type {
  CallTracker,
  FinalStatus,
  LifecycleEvent,
  LifecycleReport,
  LifecycleUpdate,
} from "../lifecycle/index.js";
import { runUpdate } from "../lifecycle/index.js";
import type { UpdateEvent } from "../migration/update.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Patch } from "../patch/patch.js";
import type { Bundle, BundleOptions } from "./bundle.js";
import { ReleaseMismatchError } from "./errors.js";
import type { ReleaseHistory, ReleaseWarning } from "./history.js";
import type { PublicKeyInput } from "./keys.js";
import type { VerifiedBundle } from "./verify.js";
import { patchesOf, readVerifiedBundle, verifyBundle } from "./verify.js";
import { compileScope } from "./compileScope.js";
import type { ServiceModules } from "./functions.js";
import { checkFunctions, withFunctions } from "./functions.js";
import { ReleaseRecorder, releaseWarnings, windowWithoutCheck } from "./recordRelease.js";
import { oneLine } from "./printable.js";
import type { CommitDeadline } from "./commitDeadline.js";
import { commitDeadline } from "./commitDeadline.js";
import { refuseExpired } from "./expiry.js";
import { keys, requireReleaseOptions } from "./optionKeys.js";

/** The running service a bundle is applied to. */
export interface ReleaseTarget {
  readonly namespace: Namespace;
  readonly history: ReleaseHistory;
  /** Public keys whose bundles this process applies. */
  readonly trust: readonly PublicKeyInput[];
  /** Names the patches' sources see when they are compiled (after verification). */
  readonly scope?: Readonly<Record<string, unknown>>;
  /** The service's modules, whose top-level functions a bundle may replace (metamorph run). */
  readonly modules?: ServiceModules;
  readonly tracker?: CallTracker;
  /** The service's health: run once right after the commit, then through the bundle's window. */
  readonly healthCheck?: () => boolean | Promise<boolean>;
  readonly maxBundleBytes?: number;
  /** Ends health-check windows still running (the server's close). */
  readonly signal?: AbortSignal;
}

const TARGET_KEYS = keys<ReleaseTarget>({
  namespace: true,
  history: true,
  trust: true,
  scope: true,
  modules: true,
  tracker: true,
  healthCheck: true,
  maxBundleBytes: true,
  signal: true,
});

/** A step of the apply, streamed to whoever asked for it. */
export type ApplyProgress =
  | { readonly kind: "verified"; readonly bundleId: string; readonly keyId: string }
  | {
      readonly kind: "lifecycle";
      readonly step: string;
      readonly atMs: number;
      readonly reason?: string;
    }
  | {
      readonly kind: "phase";
      readonly phase: string;
      readonly status: string;
      readonly ms?: number;
      readonly migrated?: number;
    }
  | {
      readonly kind: "committed";
      readonly migrated: number;
      readonly pending: number;
      readonly pauseMs: number;
    };

export interface ApplyOutcome {
  readonly status: FinalStatus;
  /** The release running after the attempt. */
  readonly version: string;
  readonly bundleId: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly reason?: string;
  readonly error?: unknown;
  readonly pauseMs: number;
  readonly migrated: number;
  /** Migrated so far, inside the commit and since (lazy and progressive updates: first use, the sweep). */
  readonly migratedSoFar: number;
  readonly pending: number;
  readonly heldCalls: number;
  /** What the engine warned about as it committed (code, class, message); empty when nothing. */
  readonly warnings: readonly ReleaseWarning[];
  readonly report: LifecycleReport;
}

/** Refuses a bundle made for another namespace, or for another release than the one running. */
export function checkRelease(target: ReleaseTarget, bundle: VerifiedBundle): void {
  requireReleaseOptions(target, TARGET_KEYS, "checkRelease", "a release target");
  const { manifest } = bundle.payload;
  if (manifest.namespace !== undefined && manifest.namespace !== target.history.namespace) {
    throw new ReleaseMismatchError(
      `bundle ${oneLine(manifest.name)} is for namespace ${oneLine(String(manifest.namespace))}; this process serves ${oneLine(target.history.namespace)}${lookAlike(String(manifest.namespace), target.history.namespace)}`,
      { expected: target.history.namespace, bundle: manifest.namespace },
    );
  }
  if (manifest.fromVersion !== target.history.version) {
    throw new ReleaseMismatchError(
      `bundle ${oneLine(manifest.name)} turns release ${oneLine(manifest.fromVersion)} into ${oneLine(manifest.toVersion)}, but this process runs ${target.history.version}${sameTarget(target.history, bundle)}`,
      {
        running: target.history.version,
        fromVersion: manifest.fromVersion,
        toVersion: manifest.toVersion,
      },
    );
  }
}

/**
 * Two names that print alike but differ (`café` composed, or as `e` and a
 * combining accent): the refusal would read "is for namespace café; this
 * process serves café". Their code points tell them apart.
 */
function lookAlike(bundle: string, served: string): string {
  // Compatibility forms folded, invisible joiners and soft hyphens left out.
  const skeleton = (text: string) =>
    text.normalize("NFKC").replace(/[\u00ad\u200b-\u200d\u2060\ufeff]/g, "");
  if (skeleton(bundle) !== skeleton(served)) return "";
  const points = (text: string) =>
    [...text]
      .map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`)
      .join(" ");
  return ` (the two names look alike but are different strings: ${points(bundle)} against ${points(served)}; pack the bundle with the service's name exactly, e.g. both in Unicode NFC)`;
}

/**
 * When the bundle's to-release is the one running: whether this very bundle
 * made it (a replay), or another bundle with the same `--to` did — a
 * hotfix packed under a version already taken is not live.
 */
function sameTarget(history: ReleaseHistory, bundle: VerifiedBundle): string {
  if (bundle.payload.manifest.toVersion !== history.version) return "";
  const releases = history.releases();
  const running =
    releases.find((r) => r.state === "current") ?? releases.find((r) => r.state === "permanent");
  if (running?.bundleId === bundle.id) return " (it was applied already)";
  return ` (release ${history.version} runs from ${running?.bundleId ? `another bundle, ${running.bundleId.slice(0, 16)}` : "the code it started with"}: this bundle was not applied; pack it from ${history.version} to a new release)`;
}

function lifecycleProgress(event: LifecycleEvent): ApplyProgress {
  return event.type === "transition"
    ? {
        kind: "lifecycle",
        step: event.to,
        atMs: event.atMs,
        ...(event.reason ? { reason: event.reason } : {}),
      }
    : { kind: "lifecycle", step: event.step, atMs: event.atMs };
}

function phaseProgress(event: UpdateEvent): ApplyProgress {
  const migrated = event.detail?.migrated;
  return {
    kind: "phase",
    phase: event.phase,
    status: event.status,
    ...(event.ms !== undefined ? { ms: event.ms } : {}),
    ...(typeof migrated === "number" ? { migrated } : {}),
  };
}

/**
 * A verified bundle's code, compiled: its patches (seeing the namespace's
 * classes and the target's scope) with its top-level functions (compiled in
 * their modules' scopes) assigned by the same update.
 */
export function compileBundle(target: ReleaseTarget, bundle: VerifiedBundle): Patch {
  const patch = patchesOf(bundle, compileScope(target.namespace, target.scope));
  return withFunctions(target.modules, bundle, patch);
}

/** The lifecycle update a verified bundle asks for: its patches with its options. */
function lifecycleUpdate(
  target: ReleaseTarget,
  bundle: VerifiedBundle,
  onProgress: (progress: ApplyProgress) => void,
  recorder: ReleaseRecorder,
  patch: Patch = compileBundle(target, bundle),
  deadline?: CommitDeadline,
): LifecycleUpdate {
  const { manifest, options } = bundle.payload;
  const healthCheck = deadline ? deadline.healthCheck(target.healthCheck) : target.healthCheck;
  const optional = <K extends keyof BundleOptions>(key: K) =>
    options[key] === undefined ? {} : { [key]: options[key] };
  return {
    name: manifest.name,
    namespace: target.namespace,
    patch,
    options: {
      ...optional("policy"),
      ...optional("sliceSize"),
      ...(healthCheck ? { healthCheck } : {}),
      onEvent: (event) => onProgress(phaseProgress(event)),
    },
    ...optional("forceQuiescence"),
    ...optional("timeoutMs"),
    ...optional("prepareTimeoutMs"),
    ...optional("overTimeoutMs"),
    hooks: {
      // Checked again in the pause, right before the commit: while the update
      // waited for quiescence, a health-check window may have rolled the
      // release it builds on back (healthWindow.ts), and it would commit onto
      // the wrong release.
      apply: (_ctx, next) => {
        checkRelease(target, bundle);
        const applied = next();
        recorder.committed(applied);
        return applied;
      },
    },
  };
}

/**
 * Reads (bounded, inert), verifies and checks a bundle for this process
 * (expiry, release, modules); compiles nothing. `replay`: a bundle the
 * cluster already runs, whose expiry was checked when it was applied.
 */
export function admitBundle(
  target: ReleaseTarget,
  input: string | Uint8Array | Bundle,
  onProgress: (progress: ApplyProgress) => void = () => {},
  { replay = false }: { readonly replay?: boolean } = {},
): VerifiedBundle {
  const bundle =
    typeof input === "string" || input instanceof Uint8Array
      ? readVerifiedBundle(
          input,
          target.trust,
          target.maxBundleBytes === undefined ? {} : { maxBytes: target.maxBundleBytes },
        )
      : verifyBundle(input, target.trust);
  onProgress({ kind: "verified", bundleId: bundle.id, keyId: bundle.verifiedBy });
  // After the signature: the expiry read is then the signer's.
  if (!replay) refuseExpired(bundle);
  checkRelease(target, bundle);
  // Every module and function it names exists here, before any of its code is compiled.
  checkFunctions(target.modules, bundle);
  return bundle;
}

/** Reads, verifies, checks and applies a bundle's text; see the module comment for the order. */
export async function applyBundle(
  target: ReleaseTarget,
  input: string | Uint8Array | Bundle,
  onProgress: (progress: ApplyProgress) => void = () => {},
): Promise<ApplyOutcome> {
  requireReleaseOptions(target, TARGET_KEYS, "applyBundle", "a release target");
  return applyVerified(target, admitBundle(target, input, onProgress), onProgress);
}

/** Applies an admitted bundle through the lifecycle and records the release if it committed. */
export async function applyVerified(
  target: ReleaseTarget,
  bundle: VerifiedBundle,
  onProgress: (progress: ApplyProgress) => void = () => {},
  /** The bundle's patches, compiled already (by a prepare). */
  compiled?: Patch,
  /** After this (ms since the epoch) the update must not stand: commitDeadline.ts. */
  deadlineAt?: number,
): Promise<ApplyOutcome> {
  // Checked again: a prepared bundle may wait while another release is applied.
  checkRelease(target, bundle);
  const deadline =
    deadlineAt === undefined ? undefined : commitDeadline(deadlineAt, bundle.payload.manifest.name);
  deadline?.check();
  const recorder = new ReleaseRecorder(target, bundle);
  const update = lifecycleUpdate(target, bundle, onProgress, recorder, compiled, deadline);
  const report = await runUpdate(update, {
    ...(target.tracker ? { tracker: target.tracker, autoTrack: "keep" as const } : {}),
    ...(deadline ? { deadline: deadline.monotonic } : {}),
    onEvent: (event) => {
      recorder.onEvent(event);
      onProgress(lifecycleProgress(event));
    },
  });
  // The deadline's own words, rather than "the health check failed" or "the apply hook threw".
  const reason = deadline?.missed?.message ?? report.reason;
  const error = report.error ?? deadline?.missed;
  const applied = report.applied;
  // Recorded at the commit already; kept, or marked rolled back if the update undid it.
  const pending = recorder.finish(report, reason);
  if (report.status === "committed" && applied) {
    onProgress({
      kind: "committed",
      migrated: applied.instancesMigrated,
      pending,
      pauseMs: report.pauseMs,
    });
  }
  const { manifest } = bundle.payload;
  return {
    status: report.status,
    version: target.history.version,
    bundleId: bundle.id,
    fromVersion: manifest.fromVersion,
    toVersion: manifest.toVersion,
    ...(reason !== undefined ? { reason } : {}),
    ...(error !== undefined ? { error } : {}),
    pauseMs: report.pauseMs,
    migrated: applied?.instancesMigrated ?? 0,
    migratedSoFar:
      applied?.result?.state() === "committed"
        ? applied.result.migratedSoFar() + (applied.adoption?.instancesAdopted ?? 0)
        : (applied?.instancesMigrated ?? 0),
    pending,
    heldCalls: report.heldCalls,
    warnings:
      report.status === "committed"
        ? [...releaseWarnings(applied), ...windowWithoutCheck(target, bundle)]
        : [],
    report,
  };
}
