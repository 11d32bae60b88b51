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
  ["node:events", "EventEmitterAsyncResource"],
  ["node:stream", "Stream"],
  ["node:stream", "Readable"],
  ["node:stream", "Writable"],
  ["node:stream", "Duplex"],
  ["node:stream", "Transform"],
  ["node:stream", "PassThrough"],
  [null, "EventTarget"],
];

/** What one fresh object of a platform class holds: its own symbols, and its own string keys (EventEmitter's `_events`). */
interface Learnt {
  readonly symbols: ReadonlySet<symbol>;
  readonly fields: ReadonlySet<string>;
}

let known: Map<Function, Learnt> | undefined;

/** Whether `fn` is one of the platform's classes (a superclass no update of the program changes). */
export function isPlatformClass(fn: Function): boolean {
  known ??= learn();
  return known.has(fn);
}

/** The symbols objects of the platform classes in `prototype`'s chain carry from those classes. */
export function platformSymbols(prototype: object | null): ReadonlySet<symbol> {
  return new Set(inChain(prototype).flatMap(([, learnt]) => [...learnt.symbols]));
}

/**
 * The own string keys objects of the platform classes in `prototype`'s
 * chain carry from them (`_events`, `_eventsCount`, `_maxListeners`;
 * `_readableState`), each with the class's name: that class's state, which
 * no field of the program's class may take over.
 */
export function platformFields(prototype: object | null): ReadonlyMap<string, string> {
  return new Map(
    inChain(prototype).flatMap(([ctor, learnt]) => [...learnt.fields].map((f) => [f, ctor.name])),
  );
}

function inChain(prototype: object | null): [Function, Learnt][] {
  known ??= learn();
  const found: [Function, Learnt][] = [];
  for (let p = prototype; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const ctor = Object.getOwnPropertyDescriptor(p, "constructor")?.value as unknown;
    const learnt = typeof ctor === "function" ? known.get(ctor) : undefined;
    if (learnt !== undefined) found.push([ctor as Function, learnt]);
  }
  return found;
}

function learn(): Map<Function, Learnt> {
  const classes = new Map<Function, Learnt>();
  const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  for (const [module, name] of PLATFORM_CLASSES) {
    try {
      const from = module === null ? globalThis : host?.getBuiltinModule?.(module);
      const ctor = (from as Record<string, unknown> | undefined)?.[name];
      if (typeof ctor !== "function" || classes.has(ctor)) continue;
      classes.set(ctor, { symbols: new Set(), fields: new Set() });
      const object = Reflect.construct(ctor, []) as object;
      classes.set(ctor, {
        symbols: new Set(Object.getOwnPropertySymbols(object)),
        fields: new Set(Object.getOwnPropertyNames(object)),
      });
    } catch {
      // Not on this platform, or not buildable without arguments: nothing to learn.
    }
  }
  return classes;
}
