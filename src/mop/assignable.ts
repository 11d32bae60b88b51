/**
 * Whether assigning a field creates it. `o[name] = v` on an object without
 * such an own property runs a setter of that name up its prototype chain
 * (or throws, for a getter alone or a read-only value) instead of creating
 * the field: an external superclass's accessor (`HTMLElement`'s `title`, a
 * package base class's), one on `Object.prototype`, one the class's own
 * constructor defines its field over. Code that creates fields (generated
 * constructors, migrations) defines those instead, as a class field would.
 */
export function createsByAssignment(prototype: object | null, name: string): boolean {
  for (let p = prototype; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const d = Reflect.getOwnPropertyDescriptor(p, name);
    if (d !== undefined) return "value" in d && d.writable === true;
  }
  return true;
}

/** A statement defining `target[name]` as a plain field holding `value` (both source text). */
export function defineFieldSource(target: string, name: string, value: string): string {
  return `Object.defineProperty(${target}, ${JSON.stringify(name)}, { value: ${value}, writable: true, enumerable: true, configurable: true });`;
}
