/**
 * The imports a saved version adds: resolved in the module's own context
 * (a dynamic `import()` from the module), before anything of the version is
 * evaluated, so that its code sees them as extras (./prepare.ts).
 */
import type { TopLevel } from "./compile.js";
import type { ImportLink, ModuleGraph, ModuleRecord } from "./moduleGraph.js";
import type { Known } from "./versionChanges.js";

/** An error with the line to print it at. */
function at(error: Error, file: string, line: number): Error {
  return Object.assign(error, { location: { file, line } });
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
    const spec = JSON.stringify(declaration.specifier);
    const namespace = (await (record.evaluate(`import(${spec})`) as Promise<unknown>)) as Record<
      string,
      unknown
    >;
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
        throw at(missing, record.file, declaration.line);
      }
    }
  }
  return { imported, importedFrom };
}
