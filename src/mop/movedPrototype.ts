/**
 * A constructor that sets its own object's prototype: jsbi 4's
 * `class JSBI extends Array`, whose constructor ends with
 * `Object.setPrototypeOf(this, JSBI.prototype)` (for engines whose Array
 * subclasses lost their prototype), as TypeScript's advice for classes
 * extending `Error` or `Array` has it. Without a handle the line is a no-op:
 * `new` put the object there already. Through a handle that builds with
 * another new.target (its stable class, stableClass.ts: a root class made
 * with `constructedOnlyThroughHandle`, or any class after a new
 * implementation), the line moved every object off the stable prototype:
 * `new Handle()` was no instance of the handle, and its finder and updates
 * missed the object.
 *
 * Such a constructor does not build with the stable class (newTargetFor):
 * the handle builds with it as its own new.target and moves the object onto
 * the stable prototype afterwards, as it does for a new implementation — a
 * test in the forwarder on every object instead cost ~1.5 ns a construction
 * (1.2×, measured) on the handle's fastest path, where the source costs
 * nothing once read.
 */

const writing = new WeakMap<Function, boolean>();

/**
 * `Object.setPrototypeOf(this, …)` (`Reflect.`, a helper `_setPrototypeOf`)
 * or `this.__proto__ = …` in a class's source. Code that moves the object
 * through a name of its own (`fix(this)`) is not seen.
 */
const PROTOTYPE_WRITE = /setPrototypeOf\s*\(\s*this\b|\bthis\s*\.\s*__proto__\s*=(?!=)/;

/**
 * Whether `ctor` or a class it extends (as linked now) sets the prototype
 * of the object it builds to somewhere other than `stable`, the handle's
 * stable prototype: a class whose own prototype is the stable one (a first
 * version that extends something) only puts the object where it is.
 */
export function movesItsObjects(ctor: Function, stable: object): boolean {
  for (
    let c: unknown = ctor;
    typeof c === "function" && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  ) {
    let writes = writing.get(c);
    if (writes === undefined) {
      writes = PROTOTYPE_WRITE.test(Function.prototype.toString.call(c));
      writing.set(c, writes);
    }
    if (writes && (c as { prototype?: unknown }).prototype !== stable) return true;
  }
  return false;
}
