/**
 * The loader's rewrite of a program module (Node): every top-level class
 * declaration becomes a `let` binding assigned the class handle right after
 * the class is defined (`class X {…}` → `let X; X = class { static { X =
 * this; } …}; X = dev.manage("X", X);`, so that code inside and outside the
 * class names the handle), and the module registers itself with the dev
 * runtime together with accessors for the module bindings later code may use
 * (./scopeAccess.ts), through which later versions of its classes and
 * functions reach the module's scope (./scopeEvaluate.ts) — module state is
 * kept and no new module instance is ever created. Each top-level function
 * declaration forwards to its running version once a save replaced it
 * (./functionForwarders.ts), so the function objects the program captured
 * follow edits. No `eval` is left in the
 * module: it would keep every binding of the module in its context. The
 * output carries a source map back to the user's file.
 */
import {
  DEV_GLOBAL,
  MODULE_VAR,
  moduleBody,
  type ParsedModule,
  parseModule,
  type SourceType,
  type TopLevel,
  topLevel,
} from "./compile.js";
import { forwarderEdits } from "./functionForwarders.js";
import { accessHeader } from "./scopeAccess.js";
import { applyEdits, type Edit, withInlineMap } from "./sourceMap.js";

/**
 * The edits that turn each class declaration of `top` into a `let` binding
 * holding what `manage` returns (`manage` is an expression of the class name
 * and the class, e.g. `M.manage("X", X)`).
 */
export function classEdits(
  top: TopLevel,
  manage: (name: string, binding: string) => string,
): Edit[] {
  const edits: Edit[] = [];
  for (const { name, node, statement } of top.classes.values()) {
    const isDefault = statement.type === "ExportDefaultDeclaration";
    const start = isDefault ? statement.start : node.start;
    edits.push({ start, end: node.id.end, text: `let ${name}; ${name} = class` });
    // The binding holds the class itself while its static initialisers run
    // (`static DEFAULT = new Config()`): before the handle exists, and where
    // `let X = class {…}` left X in its temporal dead zone (a ReferenceError
    // the original program never throws). Registration then records what
    // they made (namespace/staticInstances.ts).
    const bodyOpen = node.body.start + 1;
    edits.push({ start: bodyOpen, end: bodyOpen, text: `static { ${name} = this; }` });
    const tail = `;${name} = ${manage(name, name)};${isDefault ? `export { ${name} as default };` : ""}`;
    edits.push({ start: statement.end, end: statement.end, text: tail });
  }
  return edits;
}

/**
 * Rewrites a module's JavaScript (with its inline source map, if any) for the
 * dev runtime. `hash` identifies the file version it was compiled from.
 */
export function instrumentModule(
  code: string,
  file: string,
  hash: string,
  sourceType: SourceType = "module",
): { code: string; managed: readonly string[] } {
  const parsed: ParsedModule = parseModule(code, file, sourceType);
  const top = topLevel(parsed);
  const edits = classEdits(top, (name, binding) => {
    return `${MODULE_VAR}?.manage(${JSON.stringify(name)}, ${binding}) ?? ${binding}`;
  });
  const url =
    sourceType === "module"
      ? "import.meta.url"
      : 'require("node:url").pathToFileURL(__filename).href';
  const names = JSON.stringify([...top.bindings]);
  const forwarders = forwarderEdits(parsed);
  edits.push(...forwarders.edits);
  const access = accessHeader(parsed, top, sourceType, forwarders.slots);
  const header = `${forwarders.declaration}const ${MODULE_VAR} = globalThis[Symbol.for(${JSON.stringify(DEV_GLOBAL)})]?.module(${url}, ${access}, ${names}, ${JSON.stringify(hash)}, ${JSON.stringify(sourceType)});\n`;
  const at = moduleBody(parsed).start;
  edits.push({ start: at, end: at, text: header });
  const out = applyEdits(parsed.js, edits, parsed.tokens, parsed.origin);
  return { code: withInlineMap(out.code, out.map), managed: [...top.classes.keys()] };
}
