/**
 * A save refused because of another file: a new import of a module that
 * failed to load, a name another module does not export (yet), a field a
 * class of another module still declares. Saving that file (or having it
 * applied) is what can make the refused one apply, so the runtime retries it
 * then (./runtime.ts); without this, such a save stayed refused, silently
 * on its old version, until saved again (review of `metamorph dev`
 * sessions, H1 and M1).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const WAITS_FOR = Symbol("metamorph.waitsFor");

/** Any other module's update may be the one (a field a subclass still declares). */
export const ANY_MODULE = "any";

/** The files a refusal waits for, as imported: compared without their extension (`./vec.js` names `vec.ts`). */
export type WaitedFor = readonly string[] | typeof ANY_MODULE;

const stripExtension = (file: string) => file.replace(/\.[^./\\]+$/, "");

/** Marks `error` as waiting for `file` (a path or a file URL); returns it. */
export function waitFor<E extends Error>(error: E, file: string): E {
  const path = file.startsWith("file:") ? fileURLToPath(file.split(/[?#]/)[0]!) : file;
  Object.defineProperty(error, WAITS_FOR, { value: [path], configurable: true });
  return error;
}

/** What a refusal waits for, or undefined when only a save of the file itself can help. */
export function waitedFor(error: unknown): WaitedFor | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const marked = (error as { [WAITS_FOR]?: readonly string[] })[WAITS_FOR];
  if (marked !== undefined) return marked;
  return duplicateFields(error).length > 0 ? ANY_MODULE : undefined;
}

/** Whether a change of `file` is one that `waited` waits for. */
export function isWaitedFor(waited: WaitedFor, file: string): boolean {
  const base = stripExtension(file);
  return waited === ANY_MODULE || waited.some((w) => stripExtension(w) === base);
}

/** The file on disk that an import of `path` names (`tracked.js` for `tracked.ts`, as tsx resolves it). */
export function fileOnDisk(path: string): string {
  if (existsSync(path)) return path;
  const base = stripExtension(path);
  const found = [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs"]
    .map((e) => base + e)
    .find((f) => existsSync(f));
  return found ?? path;
}

/** A field a subclass still declares although its ancestor (now) declares it too. */
export interface DuplicateField {
  readonly className: string;
  readonly field: string;
  readonly ancestor: string;
}

/** The `duplicate-field` failures of a refused update that involve two classes. */
export function duplicateFields(error: unknown): DuplicateField[] {
  const failures = (
    error as
      | { report?: { failures?: readonly { rule: string; className?: string; field?: string }[] } }
      | undefined
  )?.report?.failures;
  const found: DuplicateField[] = [];
  for (const f of failures ?? []) {
    const ancestor = (f as { ancestor?: unknown }).ancestor;
    if (f.rule !== "duplicate-field" || f.className === undefined || f.field === undefined)
      continue;
    if (typeof ancestor === "string")
      found.push({ className: f.className, field: f.field, ancestor });
  }
  return found;
}
