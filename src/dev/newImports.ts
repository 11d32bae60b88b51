/**
 * The imports a saved version adds: resolved in the module's own context
 * (a dynamic `import()` from the module), before anything of the version is
 * evaluated, so that its code sees them as extras (./prepare.ts).
 *
 * Node's ES module loader keeps a module that failed to load (a syntax
 * error, a throw at its evaluation) for the life of the process: importing
 * its URL again answers the same error, even once the file is fixed. A save
 * that added an import of a new file with an error stayed refused, with the
 * stale error, until a restart (review of `metamorph dev` sessions, H1). A
 * failed module is therefore imported again under a URL of its own
 * (`?metamorph-retry=<n>`): the dev loader keys modules by URL, strips the
 * query to find the file (./hooks.ts, ./moduleGraph.ts), and later new
 * imports of that module from any file use the URL that loaded.
 */
import type { TopLevel } from "./compile.js";
import type { ImportLink, ModuleGraph, ModuleRecord } from "./moduleGraph.js";
import type { Known } from "./versionChanges.js";
import { waitFor } from "./waitingFor.js";

const RETRY_QUERY = "metamorph-retry";

/** Modules whose import failed, by URL: the attempt their next import is (1 for the first retry). */
const retries = new Map<string, number>();

/** An error with the line to print it at. */
function at(error: Error, file: string, line: number): Error {
  return Object.assign(error, { location: { file, line } });
}

/** The URL a relative or absolute specifier names from `record` (undefined for a package). */
function urlOf(record: ModuleRecord, specifier: string): string | undefined {
  if (!/^(\.|\/|file:)/.test(specifier)) return undefined;
  try {
    return new URL(specifier, record.url).href;
  } catch {
    return undefined;
  }
}

/**
 * Makes the next import of `specifier` from `record` load a new instance
 * of the module: the one loaded is not to be used (a class move refused,
 * ./movedClasses.ts).
 */
export function importAfresh(record: ModuleRecord, specifier: string): void {
  const url = urlOf(record, specifier);
  if (url !== undefined) retries.set(url, (retries.get(url) ?? 0) + 1);
}

/** Imports `specifier` from `record`, under a URL of its own if an earlier import of it failed. */
export async function importNew(
  record: ModuleRecord,
  specifier: string,
): Promise<Record<string, unknown>> {
  const url = urlOf(record, specifier);
  const retry = url === undefined ? undefined : retries.get(url);
  const spec =
    retry === undefined
      ? specifier
      : `${specifier}${specifier.includes("?") ? "&" : "?"}${RETRY_QUERY}=${retry}`;
  try {
    return (await (record.evaluate(
      `import(${JSON.stringify(spec)})`,
    ) as Promise<unknown>)) as Record<string, unknown>;
  } catch (error) {
    if (url === undefined || !(error instanceof Error)) throw error;
    retries.set(url, (retry ?? 0) + 1);
    throw waitFor(error, url);
  }
}

/** New imports: resolved now, in the module's own context. */
export async function resolveNewImports(
  graph: ModuleGraph,
  record: ModuleRecord,
  jsTop: TopLevel,
): Promise<{ imported: Record<string, unknown>; importedFrom: Map<string, ImportLink> }> {
  const known: Known = (name) => record.bindings.has(name) || record.extras.has(name);
  const imported: Record<string, unknown> = {};
  const importedFrom = new Map<string, ImportLink>();
  for (const declaration of jsTop.imports) {
    const fresh = declaration.bindings.filter((b) => !known(b.local));
    if (fresh.length === 0) continue;
    const namespace = await importNew(record, declaration.specifier);
    const target = graph.moduleOfSpecifier(record, declaration.specifier);
    for (const b of fresh) {
      if (target && b.imported !== "*") {
        importedFrom.set(b.local, { file: target.file, name: b.imported });
      }
      if (b.imported === "*") imported[b.local] = namespace;
      else if (b.imported in namespace) imported[b.local] = namespace[b.imported];
      else if (target?.extras.has(b.imported)) imported[b.local] = target.extras.get(b.imported);
      else {
        const missing = new SyntaxError(
          `module ${declaration.specifier} has no export named ${b.imported}`,
        );
        // That module's next save may add it: this one is retried then.
        const from = target?.file ?? urlOf(record, declaration.specifier);
        if (from !== undefined) waitFor(missing, from);
        throw at(missing, record.file, declaration.line);
      }
    }
  }
  return { imported, importedFrom };
}
