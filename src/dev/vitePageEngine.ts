/**
 * What the page needs only when a class is edited: planning the update
 * (./plan.ts), the update engine that applies it (./vitePageUpdate.ts, and
 * through it migration and validation), and the description of what changed.
 * ./vitePageRuntime.ts imports it on the first edit, so a page that is only
 * loaded (the classes registered, their objects made) never loads it; the
 * page bundle (./viteClient.ts) makes it a module of its own.
 */
import type { Constructor } from "../mop/createClass.js";
import type { Namespace } from "../namespace/namespace.js";
import { type ClassChangeSummary, describeClassChange, engineWarnings } from "./common.js";
import { hazardWarning, type InitialiserHazard } from "./initialisers.js";
import { readMigrations } from "./migrations.js";
import { planClassUpdates, staleFunctionField } from "./plan.js";
import { giveBack, givesBack, keepRemoved } from "./removedFields.js";
import { applyOnPage, type PageQuiescence, type PageUpdate } from "./vitePageUpdate.js";

/** One evaluation of an edited module: its classes' new implementations. */
export interface PageEdit {
  readonly path: string;
  /** The module's evaluations so far (names the patch). */
  readonly versions: number;
  readonly pending: readonly {
    name: string;
    handle: Constructor;
    implementation: Function;
    /** Its initialisers that read fields a new object does not have yet (read on the server). */
    hazards: readonly InitialiserHazard[];
    /** Its source is the running implementation's (the module changed elsewhere, or what it imports). */
    unchanged?: boolean;
  }[];
  /** The module's text is the running version's: it is evaluated again because a module it imports changed. */
  readonly importChanged?: boolean;
  /** One-shot steps applied by earlier updates (see DevPlan.used); this edit's are added when it commits. */
  readonly used: Set<string>;
  readonly migrationsModule: Record<string, unknown> | undefined;
  /** Called when the edit is applied (not when refused). */
  readonly applied?: () => void;
  /** The implementation the page applied last to a handle (see PlanOptions). */
  readonly running?: (handle: Constructor) => Function | undefined;
}

export interface AppliedEdit extends PageUpdate {
  /** What changed, class by class, for people. */
  readonly described: string;
  readonly classes: readonly string[];
  readonly warnings: readonly string[];
  /** Values of removed fields kept, or given back (./removedFields.ts). */
  readonly notes: readonly string[];
}

/**
 * Plans and applies one edit: at once, or (a promise) once the calls in
 * flight of its classes have finished. Throws or rejects, with nothing
 * changed, when it is refused.
 */
export function applyEdit(
  namespace: Namespace,
  edit: PageEdit,
  quiescence: PageQuiescence,
): AppliedEdit | Promise<AppliedEdit> {
  const file = `${edit.path.replace(/\.[^./]+$/, "")}.migrations.ts`;
  const migrationsFile = file.split("/").pop()!;
  const migrations = edit.migrationsModule ? readMigrations(edit.migrationsModule) : {};
  const plan = planClassUpdates(edit.pending, {
    namespace,
    patchName: `${edit.path} #${edit.versions}`,
    migrations,
    migrationsFile,
    used: edit.used,
    ...(edit.running ? { runningImplementation: edit.running } : {}),
  });
  const migrated = (name: string) => plan.used.some((key) => key.startsWith(`${name}:migrate:`));
  const applied = (update: PageUpdate): AppliedEdit => {
    for (const key of plan.used) edit.used.add(key);
    const notes = [...kept, ...giveBack(namespace, plan.summaries, migrated)];
    return {
      ...update,
      notes,
      described: described(plan.summaries, edit),
      classes: plan.summaries.map((s) => s.className),
      warnings: [
        ...withoutRepeats(plan.warnings, update.engineWarnings),
        ...hazardWarnings(plan.summaries, edit.pending),
        ...engineWarnings(update.engineWarnings.filter(devEngineWarning), migrationsFile),
      ],
    };
  };
  const patch = plan.builder.build();
  // Values to give back need every object migrated in the commit.
  const eager = givesBack(namespace, plan.summaries);
  const kept = keepRemoved(namespace, plan.summaries);
  const update = applyOnPage(namespace, patch, quiescence, eager);
  return update instanceof Promise ? update.then(applied) : applied(update);
}

/**
 * What changed, class by class. A class whose source did not change is
 * left out (it was "updated Entity (constructor or other code)", review
 * advZ16 1); when none changed, the line says why its classes were
 * evaluated again.
 */
function described(summaries: readonly ClassChangeSummary[], edit: PageEdit): string {
  const same = new Set(edit.pending.filter((p) => p.unchanged === true).map((p) => p.name));
  const changed = summaries.filter((s) => !same.has(s.className));
  if (changed.length > 0) return changed.map(describeClassChange).join("; ");
  const why = edit.importChanged
    ? "unchanged, evaluated again: a module it imports changed"
    : "unchanged";
  return `${summaries.map((s) => s.className).join(", ")} (${why})`;
}

/**
 * Fields an edit added whose initialiser reads state a new object does not
 * have yet (issue 15, item 2): migrated objects got it from their complete
 * state, new ones will not — the same warning as `metamorph dev`'s.
 */
function hazardWarnings(
  summaries: readonly ClassChangeSummary[],
  pending: PageEdit["pending"],
): string[] {
  const hazardsOf = new Map(pending.map((p) => [p.name, p.hazards]));
  return summaries.flatMap((summary) =>
    (hazardsOf.get(summary.className) ?? [])
      .filter((hazard) => summary.added.includes(hazard.field))
      .map((hazard) => hazardWarning(summary.className, hazard)),
  );
}

/**
 * The engine's warnings a dev user reads. MM_FIELDS_DROPPED is for a
 * package's next release (a minifier's names changing), with the library's
 * advice (replaceImplementation's renames, roll the update back): the page's
 * classes come from a new module instance, so the engine said it beside the
 * plan's own warning of a field gone while another appeared (review advZ5
 * 5). `metamorph dev` evaluates in the module's scope (sameScope), where the
 * engine does not say it.
 */
function devEngineWarning(warning: PageUpdate["engineWarnings"][number]): boolean {
  return warning.code !== "MM_FIELDS_DROPPED";
}

/** The plan's warnings without those the engine gave too (staleFunctionField). */
function withoutRepeats(
  warnings: readonly string[],
  engine: PageUpdate["engineWarnings"],
): string[] {
  const said = new Set(
    engine
      .filter((w) => w.code === "MM_STALE_FUNCTION_FIELD" && w.field !== undefined)
      .map((w) => staleFunctionField(w.className, w.field!)),
  );
  return warnings.filter((w) => !said.has(w));
}
