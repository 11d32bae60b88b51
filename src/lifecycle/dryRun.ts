/**
 * Phase one of a two-phase update: everything the engine does before its
 * commit — build, detect changes, shadow, prepare every migrating object's
 * new state (on copies, whatever the patch's policy), validate — run now and
 * thrown away. A worker of a cluster answers "ready" only after this passed,
 * so a patch whose migrator throws or whose validation fails in one worker
 * is refused before any worker commits. Nothing live is touched: the engine's
 * phases before the commit only compute (see src/migration/update.ts). The
 * commit runs the pipeline again on the state of that moment, so this is a
 * strong forecast, not a reservation.
 */
import { buildPhase } from "../migration/phases/build.js";
import { detectPhase } from "../migration/phases/detect.js";
import { dropKept, findAndKeep } from "../migration/phases/find.js";
import { preparePhase } from "../migration/phases/prepare.js";
import { restoreLoggedContainers } from "../migration/heldContainers.js";
import { shadowPhase } from "../migration/phases/shadow.js";
import { validatePhase } from "../migration/phases/validate.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Patch } from "../patch/patch.js";
import type { ValidationReport } from "../validation/report.js";
import { preflight, splitPatch } from "./apply.js";

export interface DryRunReport {
  readonly patch: string;
  /** Objects whose new state was computed (and dropped). */
  readonly instancesPrepared: number;
  readonly validation: ValidationReport | undefined;
  readonly ms: number;
}

/** Throws what the update would throw up to its commit (typed, nothing changed); otherwise reports. */
export function dryRun(namespace: Namespace, patch: Patch): DryRunReport {
  const t0 = performance.now();
  // The cooperative private-state path has no dry run: its checks are the preflight's.
  preflight(namespace, patch);
  const { rest } = splitPatch(namespace, patch);
  if (!rest) return { patch: patch.name, instancesPrepared: 0, validation: undefined, ms: 0 };
  // "eager": every migrating object's new state is computed, so every migrator runs once here.
  const built = buildPhase(namespace, rest, "eager");
  const shadowed = shadowPhase(namespace, built, detectPhase(built));
  // Heap finder: the query is kept for the commit that follows (phases/find.ts).
  const prepared = preparePhase(namespace, built, shadowed, findAndKeep(namespace, rest));
  const { witness } = prepared;
  let validation: ValidationReport | undefined;
  try {
    validation = validatePhase(namespace, rest.name, built, shadowed, prepared);
    // As in the update itself: a migrator's write elsewhere than its target is undone, and refuses.
    witness?.refuseChanges(rest.name);
    restoreLoggedContainers(prepared.logs); // the update's migrators will find them as they were
  } catch (error) {
    witness?.restore();
    dropKept(namespace); // no commit follows a refused dry run
    throw error;
  }
  return {
    patch: patch.name,
    instancesPrepared: prepared.count,
    validation,
    ms: performance.now() - t0,
  };
}
