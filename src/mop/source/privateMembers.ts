/**
 * The one private-member detector: whether a class declares private `#`
 * instance members, read from its parsed source (the same analysis that
 * reads its fields). Static private members live on the class, not on
 * instances, so they do not count; nor do uses of an enclosing class's
 * private names (`o.#x`, `#x in o`), which declare nothing.
 */
import { parseClassSource, readClassSource } from "./parse.js";
import type { ParsedClass } from "./parsedClass.js";

function declaresInstancePrivate(parsed: ParsedClass): boolean {
  return parsed.members.some((member) => member.private && !member.static);
}

/** Whether class source text (`class … { … }`) declares a private `#` instance member. */
export function sourceDeclaresPrivateMembers(source: string): boolean {
  return declaresInstancePrivate(parseClassSource(source));
}

const verdicts = new WeakMap<Function, boolean>();

/**
 * Whether the class (not its superclasses) declares private `#` instance
 * members; cached per constructor. Functions that are not classes (ES5
 * constructors, built-ins) declare none. Source that cannot be read — not
 * one class, or no parser in this realm (a page gets the sources of its
 * managed classes from the dev server, and only those) — counts as declaring
 * some: a refusal that was not needed is safe, a rewrite that loses private
 * state is not.
 */
export function classDeclaresPrivateMembers(ctor: Function): boolean {
  let result = verdicts.get(ctor);
  if (result === undefined) {
    const source = Function.prototype.toString.call(ctor);
    if (!/^class\b/.test(source)) {
      result = false;
    } else {
      try {
        result = declaresInstancePrivate(readClassSource(ctor));
      } catch {
        result = true;
      }
    }
    verdicts.set(ctor, result);
  }
  return result;
}
