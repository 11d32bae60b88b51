/**
 * The platform's own classes written in JavaScript (Node's EventEmitter,
 * streams, EventTarget), which a program's classes extend as they extend
 * `Map` or `Error`: no release of the program changes them.
 *
 * The symbols they put on every object they build:
 * Node's EventEmitter sets `kCapture` and `kShapeMode`, its streams and
 * EventTarget their own. A class of the program that extends one of them
 * carries those keys on its objects, and both releases of a package read
 * the same ones (the superclass is shared), so they are no module state of
 * the class (migration/moduleSymbols.ts). Learnt by building one object of
 * the platform class, which only classes known to build without effects
 * are asked for; any other superclass teaches nothing.
 */

/** Where a platform class lives: a builtin module and its export, or a global. */
const PLATFORM_CLASSES: readonly (readonly [module: string | null, name: string])[] = [
  ["node:events", "EventEmitter"],
  ["node:stream", "Stream"],
  ["node:stream", "Readable"],
  ["node:stream", "Writable"],
  ["node:stream", "Duplex"],
  ["node:stream", "Transform"],
  ["node:stream", "PassThrough"],
  [null, "EventTarget"],
];

let known: Map<Function, ReadonlySet<symbol>> | undefined;

/** Whether `fn` is one of the platform's classes (a superclass no update of the program changes). */
export function isPlatformClass(fn: Function): boolean {
  known ??= learn();
  return known.has(fn);
}

/** The symbols objects of the platform classes in `prototype`'s chain carry from those classes. */
export function platformSymbols(prototype: object | null): ReadonlySet<symbol> {
  known ??= learn();
  const found = new Set<symbol>();
  for (let p = prototype; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const ctor = Object.getOwnPropertyDescriptor(p, "constructor")?.value as unknown;
    const symbols = typeof ctor === "function" ? known.get(ctor) : undefined;
    if (symbols !== undefined) for (const s of symbols) found.add(s);
  }
  return found;
}

function learn(): Map<Function, ReadonlySet<symbol>> {
  const classes = new Map<Function, ReadonlySet<symbol>>();
  const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  for (const [module, name] of PLATFORM_CLASSES) {
    try {
      const from = module === null ? globalThis : host?.getBuiltinModule?.(module);
      const ctor = (from as Record<string, unknown> | undefined)?.[name];
      if (typeof ctor !== "function" || classes.has(ctor)) continue;
      classes.set(ctor, new Set());
      const object = Reflect.construct(ctor, []) as object;
      classes.set(ctor, new Set(Object.getOwnPropertySymbols(object)));
    } catch {
      // Not on this platform, or not buildable without arguments: nothing to learn.
    }
  }
  return classes;
}
