/**
 * Which function values on a prototype a lazy update's guards wrap
 * (lazyMigration.ts). A class kept on the prototype for the program to
 * build with (Backbone's `Collection.prototype.model`, a
 * `Lexer.prototype.Token` a subclass may override) is no method: wrapped,
 * `new this.Token(t)` threw "Class constructor Token cannot be invoked
 * without 'new'", its statics and `instanceof this.Token` were lost, where
 * an eager update leaves it alone (review advZ19).
 */

/**
 * Whether `f` is a constructor rather than a method, so that no guard
 * wraps it: a class (or a built-in constructor, `Map`), whose `prototype`
 * the language makes read-only — a method has none, an ordinary `function`
 * a writable one — and which cannot be called as a method anyway; or an
 * ES5 constructor, whose `prototype` holds members of its own or inherits
 * from another class's. Never a method written as a `function` (its
 * `prototype`, untouched, holds only `constructor`), nor a generator,
 * whose `prototype` is where its generator objects inherit from.
 * The program builds with such a constructor rather than calling it on
 * an object; a call of it on one reaches no guard, as a direct field read
 * does not.
 */
export function isConstructor(f: Function): boolean {
  const own = Reflect.getOwnPropertyDescriptor(f, "prototype");
  if (own === undefined) return false;
  if (!own.writable) return true;
  if (isGenerator(f)) return false;
  const prototype: unknown = own.value;
  if (typeof prototype !== "object" || prototype === null) return false;
  return (
    Reflect.getPrototypeOf(prototype) !== Object.prototype ||
    Reflect.ownKeys(prototype).some((key) => key !== "constructor")
  );
}

const GeneratorFunction = Reflect.getPrototypeOf(function* () {}) as object;
const AsyncGeneratorFunction = Reflect.getPrototypeOf(async function* () {}) as object;

/** A generator function, async or not (read from its [[Prototype]], as `instanceof` would). */
function isGenerator(f: Function): boolean {
  const kind = Reflect.getPrototypeOf(f);
  return kind === GeneratorFunction || kind === AsyncGeneratorFunction;
}
