/**
 * The top-level statements of a saved module, other than declarations,
 * that changed: those a reload cannot run without running module code
 * again. What a compiler adds for the declarations themselves is not among
 * them (an ES module's export list; tsx's `__name(f, "f")`).
 */
import type { TopLevel } from "./compile.js";

/**
 * tsx compiles with esbuild's `keepNames`: each function declaration is
 * followed by `__name(helper, "helper");`, a statement of its own. A new
 * function brought a new one, and every new function restarted the program
 * as "a top-level statement changed". The declaration names itself anyway.
 */
function keepsName(text: string, next: TopLevel): boolean {
  const call = /^__name\(\s*([A-Za-z_$][\w$]*)\s*,\s*"([^"]*)"\s*\);?$/.exec(text);
  return (
    call !== null &&
    call[1] === call[2] &&
    (next.functions.has(call[1]!) || next.classes.has(call[1]!))
  );
}

/** The new version's other statements that the previous version did not have (but those `handled` elsewhere). */
export function changedStatements(
  previous: TopLevel,
  next: TopLevel,
  handled: ReadonlySet<string> = new Set(),
): { readonly text: string; readonly line: number }[] {
  const before = new Set(previous.others.map((o) => o.text));
  return next.others.filter(
    (o) =>
      !before.has(o.text) &&
      !handled.has(o.text) &&
      !/^export\s*\{/.test(o.text) &&
      !keepsName(o.text, next),
  );
}
