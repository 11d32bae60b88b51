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
 * built there), read from the class's text (the Vite page gets no member
 * spans): every `static` in it must start a member of a form known to build
 * nothing — a method or accessor, a field with no initial value or a
 * literal one, a block only naming the class — and no static field may hold
 * an instance. Anything else (a call, `new`, a comment or string in an
 * unexpected place, `static` in a method's body) answers "may have built".
 */
export function staticsBuildNothing(cls: Function): boolean {
  if (readableClassSource(cls) === undefined) return false;
  const text = Function.prototype.toString.call(cls);
  for (const { index } of text.matchAll(/\bstatic\b/g)) {
    if (!SAFE_STATICS.some((form) => form(text, index))) return false;
  }
  return staticInstances(cls).length === 0;
}

const NAME = String.raw`(?:[\w$.]+|"[\w$ -]*"|'[\w$ -]*')`;
const KEY = String.raw`(?:#?[\w$]+|${NAME}|\[${NAME}\])`;
const LITERAL = String.raw`(?:-?[\d.][\d_.eExXa-fA-F]*n?|"[^"\\]*"|'[^'\\]*'|true|false|null|undefined|\[\s*\]|\{\s*\})`;
/** The end of a field: `;`, a line break, or the class's own `}`. */
const END = String.raw`\s*?(?:;|\n|\}$)`;

const sticky = (source: string) => {
  const re = new RegExp(source, "y");
  return (text: string, at: number) => {
    re.lastIndex = at;
    return re.test(text);
  };
};

const SAFE_STATICS: readonly ((text: string, at: number) => boolean)[] = [
  // A method or accessor: its body runs only when called.
  sticky(String.raw`static\s*(?:async\s*)?(?:\*\s*)?(?:(?:get|set)\s+)?${KEY}\s*\(`),
  sticky(String.raw`static\s*${KEY}${END}`),
  sticky(String.raw`static\s*${KEY}\s*=\s*${LITERAL}${END}`),
  (text, at) => {
    const block = /static\s*\{([^{}]*)\}/y;
    block.lastIndex = at;
    const body = block.exec(text)?.[1];
    return body !== undefined && namesOnly(body);
  },
];

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
