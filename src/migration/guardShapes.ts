/**
 * Which function values on a prototype a lazy update's guards wrap, and
 * how a guard looks like the member it stands for (lazyMigration.ts).
 *
 * A class kept on the prototype for the program to
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

const generatorFunctions = Reflect.getPrototypeOf(function* () {}) as object;
const asyncGeneratorFunctions = Reflect.getPrototypeOf(async function* () {}) as object;

/** A generator function, async or not (read from its [[Prototype]], as `instanceof` would). */
function isGenerator(f: Function): boolean {
  const kind = Reflect.getPrototypeOf(f);
  return kind === generatorFunctions || kind === asyncGeneratorFunctions;
}

/**
 * How a method's guard is written: `function` for a method written as a
 * `function` (it has a `prototype`, and `new` reaches it), otherwise method
 * syntax, which has neither. An async method's or a generator's guard is a
 * plain one returning the method's own promise or generator object, with
 * the method's [[Prototype]] (dress), so that `fn.constructor.name`,
 * `instanceof` and `Object.prototype.toString` answer as for the method;
 * `util.types.isAsyncFunction` and `isGeneratorFunction` answer false. An
 * async guard awaiting the method's promise made its caller resume one
 * microtask later (a `Promise.race` with another class's call then went
 * the other way) and cost 70–80 ns a call and await instead of 31–48;
 * a generator delegating with `yield*` migrated and evaluated the
 * arguments at the first `next()`, not at the call.
 */
export type GuardKind = "function" | "method";

export function guardKindOf(f: Function): GuardKind {
  return !isGenerator(f) && Reflect.getOwnPropertyDescriptor(f, "prototype") !== undefined
    ? "function"
    : "method";
}

/**
 * Gives `guard` the own properties of `like`, the member it stands for,
 * and its [[Prototype]]: its `name` and `length` (Express takes a handler
 * of 4 parameters for an error handler: a guard's `length` 0 made it an
 * ordinary one, never called with the error), its `prototype`, what the
 * program put on it (a memoiser's `cache`). The guard's own are copies, as
 * of the install: a value the program assigns to one later changes the
 * guard's, not the member's.
 */
export function dress(guard: Function, like: Function): void {
  for (const key of Reflect.ownKeys(guard))
    if (!Object.hasOwn(like, key)) Reflect.deleteProperty(guard, key);
  for (const key of Reflect.ownKeys(like)) {
    // A sloppy-mode function's poison pills: a strict guard has them on Function.prototype.
    if (key === "arguments" || key === "caller") continue;
    Reflect.defineProperty(guard, key, Reflect.getOwnPropertyDescriptor(like, key)!);
  }
  const kind = Reflect.getPrototypeOf(like);
  if (Reflect.getPrototypeOf(guard) !== kind) Reflect.setPrototypeOf(guard, kind);
}
