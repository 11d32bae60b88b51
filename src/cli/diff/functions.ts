/**
 * The changed top-level functions of a release: each module's `function`
 * declarations present in both releases whose text changed. The service
 * compiles each in its running module's scope (release/functions.ts).
 */
import { parseJavaScript } from "../../mop/source/parser.js";
import { dependsOnScope } from "../../mop/source/scope.js";
import type { ReleaseInventory } from "./inventory.js";

export interface FunctionChange {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** The new `function name(…) { … }`, as JavaScript. */
  readonly source: string;
  readonly todos: readonly string[];
}

/**
 * Names the new function refers to that its module binds only in the new
 * release (a new import, function or variable): the running module, in whose
 * scope the service compiles it, does not have them.
 */
function newNamesTodo(name: string, source: string, added: readonly string[]): string[] {
  if (added.length === 0) return [];
  const parsed = parseJavaScript(`(${source}\n)`, "script");
  if (!parsed.ok) return [];
  const used = added.filter(
    (n) => n !== name && dependsOnScope(parsed.program, new Set([n]), true),
  );
  if (used.length === 0) return [];
  return [
    `${name} refers to ${used.join(", ")}, which the new release's module declares or imports and the running one does not: the service compiles the function in the running module, where ${used.length === 1 ? "it is" : "they are"} not defined. Rewrite those references, or restart to apply the change`,
  ];
}

export function changedFunctions(old: ReleaseInventory, next: ReleaseInventory): FunctionChange[] {
  const out: FunctionChange[] = [];
  for (const [file, module] of next.modules) {
    const before = old.modules.get(file);
    if (!before) continue;
    const added = [...module.top.bindings].filter((n) => !before.top.bindings.has(n));
    for (const [name, fn] of module.top.functions) {
      const was = before.top.functions.get(name);
      if (!was || was.text === fn.text) continue;
      const todos = newNamesTodo(name, fn.text, added);
      out.push({ name, file, line: fn.line, source: fn.text, todos });
    }
  }
  return out;
}
