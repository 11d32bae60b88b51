/**
 * TypeScript compiled by the installed compiler to CommonJS and evaluated:
 * what tsc really emits for a target (statics assigned after the class,
 * fields defined or assigned), rather than what a test would hand-write.
 */
import ts from "typescript";

export function compileTypeScript(
  source: string,
  target: ts.ScriptTarget,
  useDefineForClassFields?: boolean,
): { js: string; exports: Record<string, unknown> } {
  const js = ts.transpileModule(source, {
    compilerOptions: {
      target,
      module: ts.ModuleKind.CommonJS,
      ...(useDefineForClassFields === undefined ? {} : { useDefineForClassFields }),
    },
  }).outputText;
  const exports: Record<string, unknown> = {};
  new Function("exports", "require", js)(exports, () => ({}));
  return { js, exports };
}
