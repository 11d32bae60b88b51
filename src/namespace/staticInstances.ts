/**
 * Instances a class's static initialisers made before the class was
 * registered (`static DEFAULT = new Config()`, `static RED = new Color(…)`,
 * `static ALL = [Color.RED, …]`): made by the class itself, not through its
 * handle, which did not exist yet, so a registry would never see them. They
 * are read from the class's own static data fields (and arrays held there).
 */
export function staticInstances(cls: Function): object[] {
  const prototype = (cls as { prototype?: unknown }).prototype;
  if (typeof prototype !== "object" || prototype === null) return [];
  const found = new Set<object>();
  const consider = (value: unknown) => {
    if (
      typeof value === "object" &&
      value !== null &&
      Object.prototype.isPrototypeOf.call(prototype, value)
    )
      found.add(value);
  };
  for (const key of Reflect.ownKeys(cls)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(cls, key);
    if (descriptor === undefined || !("value" in descriptor)) continue;
    const value: unknown = descriptor.value;
    if (Array.isArray(value)) value.forEach(consider);
    else consider(value);
  }
  return [...found];
}
