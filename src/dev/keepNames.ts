/** A top-level statement a compiler adds to keep a declaration's name, which a reload need not run. */
import type { TopLevel } from "./compile.js";

/**
 * tsx compiles with esbuild's `keepNames`: each function declaration is
 * followed by `__name(helper, "helper");`, a statement of its own. A new
 * function brought a new one, and every new function restarted the program
 * as "a top-level statement changed". The declaration names itself anyway.
 */
export function keepsName(text: string, next: TopLevel): boolean {
  const call = /^__name\(\s*([A-Za-z_$][\w$]*)\s*,\s*"([^"]*)"\s*\);?$/.exec(text);
  return (
    call !== null &&
    call[1] === call[2] &&
    (next.functions.has(call[1]!) || next.classes.has(call[1]!))
  );
}
