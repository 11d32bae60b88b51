/**
 * The loader's rewrite of a program module (Node): every top-level class
 * declaration becomes a `let` binding assigned the class handle right after
 * the class is defined (`class X {…}` → `let X = class {…}; X =
 * dev.manage("X", X);`, so that code inside and outside the class names the
 * handle), and the module registers itself with the dev runtime together with
 * an evaluator for code in its scope (a direct `eval` inside the module),
 * through which later versions of its classes and functions are evaluated —
 * module state is kept and no new module instance is ever created. The
 * output carries a source map back to the user's file.
 */
import {
  CODE_PARAM,
  DEV_GLOBAL,
  MODULE_VAR,
  moduleBody,
  type ParsedModule,
  parseModule,
  type SourceType,
  type TopLevel,
  topLevel,
} from "./compile.js";
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
    edits.push({ start, end: node.id.end, text: `let ${name} = class` });
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
  const header = `const ${MODULE_VAR} = globalThis[Symbol.for(${JSON.stringify(DEV_GLOBAL)})]?.module(${url}, (${CODE_PARAM}) => eval(${CODE_PARAM}), ${names}, ${JSON.stringify(hash)}, ${JSON.stringify(sourceType)});\n`;
  const at = moduleBody(parsed).start;
  edits.push({ start: at, end: at, text: header });
  const out = applyEdits(parsed.js, edits, parsed.tokens, parsed.origin);
  return { code: withInlineMap(out.code, out.map), managed: [...top.classes.keys()] };
}
