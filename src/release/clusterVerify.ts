/**
 * A cluster's primary reads and verifies a bundle before any worker sees it
 * (signature, expiry), and derives from its options how long the commit may
 * take across the workers (transaction.ts CommitTiming).
 */
import type { ReleaseTarget } from "./applyBundle.js";
import { refuseExpired } from "./expiry.js";
import type { CommitTiming } from "./transaction.js";
import { readVerifiedBundle } from "./verify.js";

export interface ClusterBundle {
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly timing: CommitTiming;
}

export function verifyForCluster(
  target: ReleaseTarget,
  bundle: string,
  bounds: { readonly workerTimeoutMs: number; readonly commitGraceMs: number },
): ClusterBundle {
  const verified = readVerifiedBundle(
    bundle,
    target.trust,
    target.maxBundleBytes === undefined ? {} : { maxBytes: target.maxBundleBytes },
  );
  refuseExpired(verified);
  const { payload } = verified;
  const { options } = payload;
  // A commit waits for quiescence before its deadline, and after it (lazy,
  // progressive) for the end of the migration; then its answer travels.
  return {
    fromVersion: payload.manifest.fromVersion,
    toVersion: payload.manifest.toVersion,
    timing: {
      deadlineInMs: bounds.workerTimeoutMs + (options.timeoutMs ?? 5_000),
      graceMs: (options.overTimeoutMs ?? 1_000) + bounds.commitGraceMs,
      followUpMs: 600_000,
    },
  };
}
