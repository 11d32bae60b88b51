import { readableClassSource } from "../mop/source/readableSource.js";

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

/**
 * Whether the class's static initialisers cannot have built an object of it
 * (so every object of a class the program builds only through its handle is
 * built there): no static block but those naming the class, no static
 * field whose initial value calls, constructs or tags anything, and none
 * holding an instance. Read from the class's text and its static fields
 * (the Vite page gets no member spans), erring towards "may have built".
 */
export function staticsBuildNothing(cls: Function): boolean {
  const parsed = readableClassSource(cls);
  if (parsed === undefined) return false;
  const text = Function.prototype.toString.call(cls);
  const blocks = text.match(/\bstatic\s*\{/g)?.length ?? 0;
  const naming = [...text.matchAll(/\bstatic\s*\{([^{}]*)\}/g)].filter((m) => namesOnly(m[1]!));
  const fieldsBuild = parsed.staticFields.some(
    (field) => field.initializer !== undefined && /[(`]|\bnew\b/.test(field.initializer),
  );
  return naming.length === blocks && !fieldsBuild && staticInstances(cls).length === 0;
}

/**
 * Whether a static block's body only names the class: `X = this` (what
 * `metamorph dev` inserts) or `__name(this, "X")` (esbuild's keepNames, under
 * tsx).
 */
function namesOnly(body: string): boolean {
  return body
    .split(";")
    .map((statement) => statement.trim())
    .every(
      (statement) =>
        statement === "" ||
        /^[\w$]+\s*=\s*this$/.test(statement) ||
        /^[\w$]+\(this,\s*("[\w$]*"|'[\w$]*')\)$/.test(statement),
    );
}
