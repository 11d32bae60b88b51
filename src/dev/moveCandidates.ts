/**
 * The classes a saved version may have moved to another module (review
 * advZ26 M4): managed, gone from the source, and imported instead under
 * the same name from a relative module. Whether one moved is known once
 * that module is loaded (./movedClasses.ts); one that did not was removed.
 */
import type { TopImport, TopLevel } from "./compile.js";
import type { ModuleRecord } from "./moduleGraph.js";

/** A class gone from the saved version whose name it imports from a relative module. */
export interface MoveCandidate {
  readonly name: string;
  readonly specifier: string;
  readonly line: number;
}

const RELATIVE = /^(\.|\/|file:)/;

/** The managed classes `next` no longer declares and imports instead, under the same name, from a relative module. */
export function moveCandidates(
  record: ModuleRecord,
  previous: TopLevel,
  next: TopLevel,
): MoveCandidate[] {
  const out: MoveCandidate[] = [];
  const sources = [...next.imports, ...reExports(next)];
  for (const name of previous.classes.keys()) {
    if (next.classes.has(name) || !record.classes.has(name)) continue;
    for (const d of sources) {
      if (!RELATIVE.test(d.specifier)) continue;
      const b = d.bindings.find((x) => x.local === name && x.imported === name);
      if (b && !out.some((c) => c.name === name)) {
        out.push({ name, specifier: d.specifier, line: d.line });
      }
    }
  }
  return out;
}

const RE_EXPORT = /^export\s*\{([^}]*)\}\s*from\s*(["'])([^"']+)\2/;

/**
 * `export { Item } from "./item.js"`: a module that only passes the moved
 * class on (an index) moves it as one importing it does.
 */
function reExports(next: TopLevel): Pick<TopImport, "specifier" | "line" | "bindings">[] {
  const out: Pick<TopImport, "specifier" | "line" | "bindings">[] = [];
  for (const other of next.others) {
    const match = RE_EXPORT.exec(other.text);
    if (match === null) continue;
    const bindings = match[1]!.split(",").flatMap((part) => {
      const [imported, local = imported] = part.trim().split(/\s+as\s+/);
      return imported ? [{ imported, local: local! }] : [];
    });
    out.push({ specifier: match[3]!, line: other.line, bindings });
  }
  return out;
}

/** What a removed class says (a note without a restart, the reason of one). */
export function removedClassLines(name: string): { note: string; reason: string } {
  return {
    note: `class ${name} was removed from the source; its live instances keep the last version (restart to drop it)`,
    reason: `class ${name} was removed`,
  };
}
