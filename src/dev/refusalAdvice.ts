/**
 * What a refused save means beyond its error: what to do when saving the
 * file again cannot fix it, and whether a start of the program would fail
 * on it too (a restart then waits, ./restartGate.ts).
 */
import { SourceProblem } from "./conventions.js";
import { HeldBackRefusal } from "./heldBack.js";
import type { ModuleGraph, ModuleRecord } from "./moduleGraph.js";
import { PrivateMembersChange, UnmanagedSuperclassChange } from "./plan.js";
import { TopLevelOnlyBinding } from "./scopeEvaluate.js";
import { ANY_MODULE, duplicateFields, fileOnDisk, waitedFor } from "./waitingFor.js";

/**
 * The line after the error, when "save again to retry" cannot work (review
 * L2): a field a class of another file still declares, a file it imports
 * that does not load or does not export the name yet. Undefined otherwise.
 */
export function refusalAdvice(
  graph: ModuleGraph,
  rel: (file: string) => string,
  record: ModuleRecord,
  error: unknown,
): string | undefined {
  if (error instanceof HeldBackRefusal) return error.advice;
  for (const d of duplicateFields(error)) {
    const owner = graph.files.find((f) => graph.get(f)?.classes.has(d.className));
    if (owner === undefined || owner === record.file) continue;
    return `the running version is kept; remove ${d.field} from ${d.className} in ${rel(owner)} (its ancestor ${d.ancestor} declares it): ${rel(record.file)} then applies`;
  }
  const waited = waitedFor(error);
  if (waited === undefined || waited === ANY_MODULE) return undefined;
  const others = waited.map((w) => rel(fileOnDisk(w))).join(", ");
  return `the running version is kept; it is tried again when ${others} is saved (or save ${rel(record.file)} again)`;
}

/** Whether a refusal at `step` (compiling the saved text, preparing the version) is one a start would run into too. */
export function stopsStart(error: unknown, step: "compile" | "prepare"): boolean {
  if (step === "compile") return true;
  const waited = waitedFor(error);
  return (
    error instanceof SourceProblem ||
    error instanceof SyntaxError ||
    (waited !== undefined && waited !== ANY_MODULE)
  );
}

/** An edit metamorph cannot apply to a running program (as opposed to a mistake to fix). */
export function refusesLiveChange(error: unknown): boolean {
  return (
    error instanceof PrivateMembersChange ||
    error instanceof UnmanagedSuperclassChange ||
    error instanceof TopLevelOnlyBinding
  );
}
