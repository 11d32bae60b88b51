/**
 * Imports the saved version binds, under a name the running version
 * imports too, to another module or another export: a file renamed and its
 * importers fixed (`from "../services/repo.js"` → `from
 * "../services/repository.js"`), an import re-pointed (`{ Repo as Users }`
 * → `{ Cache as Users }`). A reload skipped every import whose name was
 * already bound, so the save said "no class or function changed", the
 * running code kept the deleted file's module, and later saves of the new
 * file were ignored: it was never loaded (review advZ20 6). The running
 * code reads the module's import binding, which nothing can bind to another
 * module, and the objects it made are the old module's: only a restart
 * loads the new one. Said, with the change.
 */
import { fileURLToPath } from "node:url";
import type { TopImport, TopLevel } from "./compile.js";
import type { ModuleRecord } from "./moduleGraph.js";

/** An import binding whose source the saved version changed. */
export interface ChangedImport {
  readonly local: string;
  readonly line: number;
  /** Where it came from and comes from now (`../services/repo.js`, `Repo from ./repo.js`). */
  readonly was: string;
  readonly now: string;
}

export const stripExtension = (file: string) => file.replace(/\.[^./\\]+$/, "");

/** The file a relative or file specifier names, without its extension (tsx resolves `./x.js` to `./x.ts`). */
export function fileOf(record: ModuleRecord, specifier: string): string | undefined {
  if (!/^(\.|\/|file:)/.test(specifier)) return undefined;
  try {
    return stripExtension(fileURLToPath(new URL(specifier, record.url)));
  } catch {
    return undefined;
  }
}

/** Whether two specifiers of `record`'s imports name the same module. */
function sameModule(record: ModuleRecord, a: string, b: string): boolean {
  if (a === b) return true;
  const [fileA, fileB] = [fileOf(record, a), fileOf(record, b)];
  if (fileA !== undefined) return fileA === fileB;
  // `fs` and `node:fs` are one module.
  return a.replace(/^node:/, "") === b.replace(/^node:/, "");
}

/** `Repo of ./repo.js`, `the default export of ./repo.js`, `./repo.js (the whole module)`. */
function source(imported: string, specifier: string): string {
  if (imported === "*") return `${specifier} (the whole module)`;
  if (imported === "default") return `the default export of ${specifier}`;
  return `${imported} of ${specifier}`;
}

/**
 * The import bindings of the running version that the saved version takes
 * from elsewhere; but those `sameValue` says are the value the binding holds
 * (a class's module following it to the module it moved to,
 * ./movedClasses.ts).
 */
export function changedImports(
  record: ModuleRecord,
  previous: TopLevel,
  next: TopLevel,
  sameValue: (local: string, specifier: string, imported: string) => boolean = () => false,
): ChangedImport[] {
  const running = new Map<string, { imported: string; declaration: TopImport }>();
  for (const declaration of previous.imports) {
    for (const b of declaration.bindings)
      running.set(b.local, { imported: b.imported, declaration });
  }
  const changed: ChangedImport[] = [];
  for (const declaration of next.imports) {
    for (const b of declaration.bindings) {
      const was = running.get(b.local);
      if (was === undefined) continue; // a new import (./newImports.ts)
      const from = was.declaration.specifier;
      const to = declaration.specifier;
      if (was.imported === b.imported && sameModule(record, from, to)) continue;
      if (sameValue(b.local, to, b.imported)) continue;
      // The same export of another module: the specifiers say it.
      const same = was.imported === b.imported && b.imported !== "*";
      changed.push({
        local: b.local,
        line: declaration.line,
        was: same ? from : source(was.imported, from),
        now: same ? to : source(b.imported, to),
      });
    }
  }
  return changed;
}

/** The note (without a restart) and the restart reason of each changed import. */
export function changedImportLines(changed: readonly ChangedImport[]): {
  notes: string[];
  restartReasons: string[];
} {
  return {
    notes: changed.map(
      (c) =>
        `line ${c.line}: the import of ${c.local} changed (${c.was} → ${c.now}); the running code and what it made keep what it imported (an import cannot be bound to another module while the program runs): restart to load the new one`,
    ),
    restartReasons: changed.map(
      (c) => `line ${c.line}: the import of ${c.local} changed (${c.was} → ${c.now})`,
    ),
  };
}
