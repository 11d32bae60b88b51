/**
 * The names a function source of a patch reads that nothing will bind once
 * hydrate compiles it: the compiled code sees the hydrate scope, the
 * globals and what it binds itself, never the module it was written in.
 * A migrator reading a constant of that module was compiled anyway; an
 * eager update failed in its migration and a lazy one committed, then
 * rolled back at the first call (review advZ17).
 */
import { isGlobalName } from "../../mop/globalName.js";
import { readUnboundNames } from "../../mop/source/parse.js";

/**
 * The names `source` reads that neither `inScope`, the globals nor the
 * source itself bind, in order of first use (a name read only as
 * `typeof name` is no read); undefined where the text does not parse (its
 * compilation says why) or no parser is loaded (a browser page).
 */
export function unboundFunctionNames(
  source: string,
  isClass: boolean,
  inScope: (name: string) => boolean,
): string[] | undefined {
  // `arguments` in an arrow function is that of the function hydrate compiles it in.
  const bound = (name: string) => name === "arguments" || inScope(name) || isGlobalName(name);
  try {
    if (isClass) return readUnboundNames(source, "class", bound);
    // An expression (`function …`, an arrow), else method shorthand (`migrate(old) { … }`).
    return (
      readUnboundNames(source, "expression", bound) ?? readUnboundNames(source, "member", bound)
    );
  } catch {
    return undefined;
  }
}
