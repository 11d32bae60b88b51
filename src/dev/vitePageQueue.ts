/**
 * The page's edits in order (./vitePageRuntime.ts hands them over): each is
 * applied by the update engine (./vitePageEngine.ts, imported on the first
 * edit), after the edits before it — those waiting for the engine to load, or
 * for calls in flight — and said in one line, or refused, saying why.
 */
import type { Namespace } from "../namespace/namespace.js";
import { PREFIX } from "./prefix.js";
import { afterTimeout, type SuspendableTracking } from "./tracking.js";
import type { AppliedEdit, PageEdit } from "./vitePageEngine.js";
import { cannotApplyInPlace, overlay } from "./vitePageRefusals.js";
import { followOnPage, message, status, tell } from "./vitePageStatus.js";
import type { Transplant } from "./vitePageUnmanaged.js";

/** An edit as queued: with the edits of its module's unmanaged classes, applied after it. */
export interface QueuedEdit extends PageEdit {
  readonly transplants: readonly Transplant[];
}

/** Where edits are applied: the page's namespace, and the calls in flight of its classes. */
export interface EditTarget {
  readonly namespace: Namespace;
  readonly tracking: SuspendableTracking;
}

type Engine = typeof import("./vitePageEngine.js");
let engine: Engine | undefined;
let loading: Promise<Engine> | undefined;

function loadEngine(): Promise<Engine> {
  loading ??= import("./vitePageEngine.js").then((loaded) => {
    engine = loaded;
    return loaded;
  });
  return loading;
}

function refused(path: string, error: unknown): void {
  status.failures++;
  if (cannotApplyInPlace(error)) {
    // As Vite does with an update nothing accepts: the page starts again, with the new code.
    status.last = `${path}: ${message(error, path)} — the page reloads`;
    console.warn(`${PREFIX} ${status.last}`);
    globalThis.location?.reload();
    return;
  }
  const advice = afterTimeout(error, "reload the page");
  status.last = `${path}: error: ${message(error, path)} — ${advice ?? "the running version is kept; save again to retry"}`;
  console.error(`${PREFIX} ${status.last}`);
  overlay(path, status.last);
}

/** Edits not applied yet, in order: waiting for the engine to load, or for an earlier edit's calls in flight. */
let queue: Promise<void> | undefined;

/** Applies an edit now if nothing is before it, otherwise after what is. */
export function schedule(edit: QueuedEdit, target: EditTarget): void {
  if (engine !== undefined && queue === undefined) {
    enqueue(applyEdit(engine, edit, target));
    return;
  }
  enqueue(
    (queue ?? Promise.resolve()).then(loadEngine).then(
      (loaded) => applyEdit(loaded, edit, target),
      (error: unknown) => refused(edit.path, error),
    ),
  );
}

function enqueue(later: Promise<void> | undefined): void {
  if (later === undefined) return;
  const settled: Promise<void> = later.finally(() => {
    if (queue === settled) queue = undefined;
  });
  queue = settled;
}

/**
 * Applies one edit, saying what it did (or why it was refused, nothing
 * changed); a promise when it waits for calls in flight. Never rejects.
 */
function applyEdit(
  loaded: Engine,
  edit: QueuedEdit,
  { namespace, tracking }: EditTarget,
): Promise<void> | undefined {
  const { path } = edit;
  const waiting = (line: string): void => {
    status.last = `${path}: ${line}`;
    console.info(`${PREFIX} ${status.last}`);
  };
  try {
    const applied = loaded.applyEdit(namespace, edit, { tracking, waiting });
    if (!(applied instanceof Promise)) return reportApplied(edit, applied);
    return applied.then(
      (done) => reportApplied(edit, done),
      (error: unknown) => refused(path, error),
    );
  } catch (error) {
    refused(path, error);
    return undefined;
  }
}

function reportApplied(edit: QueuedEdit, applied: AppliedEdit): undefined {
  edit.applied?.();
  const { result, population, progressive, described, classes, warnings, notes } = applied;
  const migrated = progressive
    ? `migrating ${population} instance${population === 1 ? "" : "s"} progressively`
    : `${result.instancesMigrated} instance${result.instancesMigrated === 1 ? "" : "s"} migrated`;
  const { transplants } = edit;
  const replaced = transplants.map((t) => t.apply());
  const parts = [described, ...transplants.map((t) => `methods of ${t.name}`)];
  const line = `updated ${parts.join("; ")} | ${migrated}, pause ${result.pauseMs.toFixed(2)} ms`;
  const names = [...classes, ...transplants.map((t) => t.name)];
  tell(edit.path, line, [...warnings, ...replaced], names, notes);
  if (progressive) followOnPage(edit.path, result);
  return undefined;
}

/** Edits of unmanaged classes alone: their methods replaced, in turn with the edits before them. */
export function replaceMethods(path: string, transplants: readonly Transplant[]): void {
  const replace = () => {
    const warnings = transplants.map((t) => t.apply());
    const names = transplants.map((t) => t.name);
    tell(path, `updated ${names.map((n) => `methods of ${n}`).join("; ")}`, warnings, names);
  };
  if (queue === undefined) replace();
  else enqueue(queue.then(replace));
}
