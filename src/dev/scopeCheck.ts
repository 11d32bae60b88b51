// Before a reload evaluates anything: the declarations of the saved version
// it will evaluate (changed and new classes and functions, new variables)
// must reach only module bindings the running module gave accessors
// (./scopeAccess.ts). The first that does not is named with the user's
// line, and the reload refused — an edit only a restart applies.
import type { AnyNode } from "acorn";
import { moduleBody, type ParsedModule, patternNames, type TopLevel } from "./compile.js";
import type { ModuleRecord } from "./moduleGraph.js";
import { type ModuleScopeNames, TopLevelOnlyBinding } from "./scopeEvaluate.js";
import { codeReferences } from "./scopeReferences.js";

// The declaration of a top-level statement (`export` looked through) and the names it binds.
function declared(statement: AnyNode): { node: AnyNode; names: string[] } | undefined {
  const inner =
    (statement.type === "ExportNamedDeclaration" ||
      statement.type === "ExportDefaultDeclaration") &&
    statement.declaration
      ? statement.declaration
      : statement;
  if (
    (inner.type === "ClassDeclaration" || inner.type === "FunctionDeclaration") &&
    inner.id !== null
  ) {
    return { node: inner, names: [inner.id.name] };
  }
  if (inner.type !== "VariableDeclaration") return undefined;
  const names: string[] = [];
  for (const d of inner.declarations) patternNames(d.id, names);
  return { node: inner, names };
}

// The first reference, in the top-level declarations of `next` that bind one
// of `evaluated`, to a module binding without an accessor: its name and line.
export function unreachableBinding(
  next: ParsedModule,
  evaluated: ReadonlySet<string>,
  scope: ModuleScopeNames,
): { readonly name: string; readonly line: number } | undefined {
  for (const statement of moduleBody(next).statements) {
    const declaration = declared(statement);
    if (!declaration?.names.some((n) => evaluated.has(n))) continue;
    for (const ref of codeReferences(declaration.node).free) {
      if (scope.isBound(ref.name) && !scope.hasAccessor(ref.name)) {
        return { name: ref.name, line: next.origin(ref.start).line };
      }
    }
  }
  return undefined;
}

// The top-level names whose declarations a reload evaluates: `changed`, or new (not `known`).
export function evaluatedNames(
  next: TopLevel,
  changed: readonly string[],
  known: (name: string) => boolean,
): Set<string> {
  const names = new Set(changed);
  for (const statement of next.statements) {
    if (statement.kind === "import" || statement.kind === "other") continue;
    if (statement.names.length > 0 && !statement.names.some(known)) {
      for (const n of statement.names) names.add(n);
    }
  }
  return names;
}

// Throws TopLevelOnlyBinding, located at the user's line, when a reload of `record` needs a binding it cannot reach.
export function refuseUnreachable(
  record: ModuleRecord,
  next: ParsedModule,
  evaluated: ReadonlySet<string>,
): void {
  const unreachable = unreachableBinding(next, evaluated, {
    hasAccessor: (name) => Object.hasOwn(record.access.bindings, name),
    isBound: (name) => record.bindings.has(name),
  });
  if (unreachable === undefined) return;
  throw Object.assign(new TopLevelOnlyBinding(unreachable.name), {
    location: { file: record.file, line: unreachable.line },
  });
}
