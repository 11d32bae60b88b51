/**
 * Members of the object read under computed keys through a name that holds
 * it (`const self = this; self[kList]`), which a search for `this[name]`
 * does not see: undici-style state under symbols of the module, reached
 * through an alias, committed silently while `this[kList]` was refused
 * (review advZ29). Read from the text, as that search is: cheap enough to
 * run on every class a new release replaces.
 */

/** `const self = this`, `var _this = this`, `that = this`: a name given the object. */
const ALIAS = /(?:^|[^\w$.])([A-Za-z_$][\w$]*)\s*=\s*this\s*(?=[;,)\n}]|$)/g;

/** Whether `source` reads or defines a member of the object under a key from a binding, through a name holding the object. */
export function keyedThroughAlias(source: string): boolean {
  for (const [, alias] of source.matchAll(ALIAS)) {
    const name = alias!.replace(/\$/g, "\\$");
    const keyed = new RegExp(
      `(?:^|[^\\w$.])${name}\\s*\\[\\s*[A-Za-z_$]|defineProperty\\(\\s*${name}\\s*,\\s*[A-Za-z_$]`,
    );
    if (keyed.test(source)) return true;
  }
  return false;
}
