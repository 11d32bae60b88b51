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
 * built there): no static block but those naming the class, no static field
 * — public or `#private`, which the reader does not list — with an initial
 * value other than a literal, and none holding an instance. Read from the
 * class's text (the Vite page gets no member spans), erring towards "may
 * have built".
 */
export function staticsBuildNothing(cls: Function): boolean {
  if (readableClassSource(cls) === undefined) return false;
  const text = Function.prototype.toString.call(cls);
  const blocks = text.match(/\bstatic\s*\{/g)?.length ?? 0;
  const naming = [...text.matchAll(/\bstatic\s*\{([^{}]*)\}/g)].filter((m) => namesOnly(m[1]!));
  // Minified text has no space in `static#x=` and ends the last field at the class's `}`.
  const initialised = [
    ...text.matchAll(/\bstatic(?:\s*#[\w$]+|\s+[\w$]+|\s*\[[^\]]*\])\s*=([^;\n]*)/g),
  ].map((m) => (m.index + m[0].length === text.length ? m[1]!.slice(0, -1) : m[1]!));
  return (
    naming.length === blocks &&
    initialised.every((value) => LITERAL.test(value)) &&
    staticInstances(cls).length === 0
  );
}

/** An initial value that builds nothing: a number, string, boolean, null, undefined, `[]` or `{}`. */
const LITERAL =
  /^\s*(?:-?[\d.][\d_.eExXa-fA-F]*n?|"[^"\\]*"|'[^'\\]*'|true|false|null|undefined|\[\s*\]|\{\s*\})\s*$/;

/**
 * Whether a static block's body only names the class: `X = this` (what
 * `metamorph dev` inserts) or `__name(this, "X")` (esbuild's keepNames,
 * under tsx; `__name2` where the name was taken).
 */
function namesOnly(body: string): boolean {
  return body
    .split(";")
    .map((statement) => statement.trim())
    .every(
      (statement) =>
        statement === "" ||
        /^[\w$]+\s*=\s*this$/.test(statement) ||
        /^__name\d*\(this,\s*("[\w$]*"|'[\w$]*')\)$/.test(statement),
    );
}
