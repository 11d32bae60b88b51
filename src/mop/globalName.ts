/**
 * Whether code compiled by metamorph (a patch's functions, a defined class's
 * methods) sees a name as a global: the checks for names bound nowhere ask
 * this, and `defineClass` must not take such a name for a class to come.
 */
const IDENTIFIER_NAME = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;

/**
 * A global binding: a property of the global object, or a script's
 * top-level `let`/`const`/`class` (a page's classic script, Node's REPL),
 * which code compiled here sees although the global object does not have it.
 */
export function isGlobalName(name: string): boolean {
  if (name in globalThis) return true;
  if (!IDENTIFIER_NAME.test(name)) return false;
  try {
    // Reading a declared binding has no effect; an undeclared name throws.
    return new Function(`"use strict"; try { ${name}; return true; } catch { return false; }`)();
  } catch {
    return false; // a word that cannot be read as a name here (`yield` in strict code)
  }
}
