/**
 * The version constructor the cooperative path installs on a class handle:
 * it forwards to the new ordinary class (which extends Adoptable) and names
 * that class's prototype as the home of the methods to install.
 */
import { stablePrototype } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import { METHOD_HOME } from "../mop/createClass.js";

/** New version → the ordinary class it forwards to (for versions this module made). */
const implementations = new WeakMap<Function, Constructor>();

/** The class whose code a handle's current version runs (the ordinary class behind a forwarding version). */
export function implementationOf(version: Function): Function {
  return implementations.get(version) ?? version;
}

/**
 * The version constructor installed on the handle: it builds fresh objects
 * through the new class (on the stable prototype) and names the new class's
 * prototype as the home of the methods to install. The handle never sees the
 * new class itself, so re-parenting at commit (which follows the namespace's
 * superclass, none here) leaves `extends Adoptable` intact.
 */
export function versionConstructor(
  handle: Constructor,
  implementation: Constructor,
  name: string,
): Constructor {
  const prototype = stablePrototype(handle);
  const ctor = function (this: unknown, ...args: unknown[]): object {
    if (new.target === undefined)
      throw new TypeError(`Class constructor ${name} cannot be invoked without 'new'`);
    if (new.target !== ctor) return Reflect.construct(implementation, args, new.target) as object;
    // Built natively, then moved onto the stable prototype: one shared map.
    // With this function as new.target, V8 would copy a fresh map for every
    // object (it caches a derived map only for derived class constructors).
    const instance = Reflect.construct(implementation, args) as object;
    // Only the object the implementation built, not one its constructor returned instead.
    if (Object.getPrototypeOf(instance) === implementation.prototype)
      Object.setPrototypeOf(instance, prototype);
    return instance;
  };
  Object.defineProperty(ctor, "name", { value: name, configurable: true });
  ctor.prototype = prototype;
  for (const key of Reflect.ownKeys(implementation)) {
    if (key === "length" || key === "name" || key === "prototype") continue;
    Object.defineProperty(ctor, key, Reflect.getOwnPropertyDescriptor(implementation, key)!);
  }
  Object.defineProperty(ctor, METHOD_HOME, {
    value: implementation.prototype,
    writable: false,
    enumerable: false,
    configurable: true,
  });
  implementations.set(ctor, implementation);
  return ctor as unknown as Constructor;
}
