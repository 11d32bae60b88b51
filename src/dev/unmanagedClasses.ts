/**
 * Classes metamorph does not manage (they extend a class it cannot manage,
 * such as a package's class): a reload replaces their methods and accessors in
 * place; their fields and existing objects stay as they are.
 */

/** Replaces methods and accessors (instance and static) of an unmanaged class with those of its new version. */
export function transplantMethods(from: Function, to: Function): void {
  const copy = (source: object, target: object, skip: ReadonlySet<PropertyKey>) => {
    for (const key of Reflect.ownKeys(source)) {
      if (skip.has(key)) continue;
      const d = Reflect.getOwnPropertyDescriptor(source, key)!;
      if ("value" in d && typeof d.value !== "function") continue;
      Object.defineProperty(target, key, d);
    }
  };
  copy(from.prototype as object, to.prototype as object, new Set(["constructor"]));
  copy(from, to, new Set(["length", "name", "prototype"]));
}
