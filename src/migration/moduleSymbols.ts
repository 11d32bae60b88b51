/**
 * State kept under symbols of the running version's module: `this[kState]`
 * with `const kState = Symbol("state")` at the top of the module, as undici
 * keeps every field of its Headers, Request, Client… A package's next
 * release is another evaluation of its modules, with symbols of its own:
 * its methods find nothing under them on the existing objects (undici 5.22
 * -> 5.28 applied as "methods changed", then every `headers.get()` threw).
 * Reading the source cannot tell such a symbol from a string constant
 * the objects can: a symbol neither registered (`Symbol.for`) nor
 * well-known belongs to one evaluation of one module. So every object of a
 * class that gets a new implementation from another scope, and whose source
 * reads `this[name]` (or defines `defineProperty(this, name, …)`), has its
 * keys looked at; state a helper function reads (`state(this)`) is out of
 * sight. The first objects of every such class have their field values
 * looked at too (minimatch keeps
 * its module's `GLOBSTAR` in its parsed pattern; the next release compares
 * with its own), before anything changes.
 */
import { stablePrototype } from "../mop/classHandle.js";
import { chainContains } from "../mop/instances/finder.js";
import { platformSymbols } from "../mop/platformClasses.js";
import { keyedThroughAlias } from "../mop/source/aliasedKeys.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Built } from "./phases/build.js";
import { type BuildResult, fromAnotherScope, hasMigrator } from "./build.js";
import type { PrivateStateError } from "../errors.js";
import {
  moduleSymbolRefusal,
  moduleSymbolValueRefusal,
  tableStateRefusal,
} from "./privateStateRefusal.js";
import { bare, tableKeptState } from "./tableState.js";
import { rememberSample } from "./sampledObjects.js";

/** How many objects of a class have their field values looked at (every object has its keys looked at). */
export const VALUE_SAMPLE = 256;
/** How many elements of an array held in a field (and of arrays in it) are looked at. */
const ELEMENTS = 16;

const WELL_KNOWN = new Set<symbol>(
  Object.getOwnPropertyNames(Symbol)
    .map((k) => (Symbol as unknown as Record<string, unknown>)[k])
    .filter((v): v is symbol => typeof v === "symbol"),
);

/** metamorph's own marks (a lazy update's brand). */
const ours = (key: symbol): boolean => key.description?.startsWith("metamorph") === true;

/** A symbol of one evaluation of one module: neither registered, well-known nor metamorph's. */
const moduleSymbol = (value: unknown): value is symbol =>
  typeof value === "symbol" &&
  Symbol.keyFor(value) === undefined &&
  !WELL_KNOWN.has(value) &&
  !ours(value);

/** A class given a new implementation from another module scope. */
export interface ScopeChange {
  readonly name: string;
  /**
   * The patch migrates the class: its migrators may map the old release's
   * symbols (as keys or values) to the new release's, and the patch author
   * has looked at the class's state.
   */
  readonly migrated: boolean;
  /** Its source reads or defines members of its objects under computed keys from bindings. */
  readonly keyed: boolean;
  /**
   * Its source reads members of other objects under computed keys from
   * bindings (`entry[NEXT]`, lru_map's linked entries): the objects its
   * fields hold have their symbol keys looked at too.
   */
  readonly keyedDeep: boolean;
  /** The classes of its chain whose own source does, base first (what a refusal names). */
  readonly readers: readonly string[];
  /** The call by which its constructor hands its objects to a table of its module (tableState.ts), for its own objects. */
  readonly table?: string;
}

/**
 * The build each answer of scopeChanges is for, with the prototypes that are
 * the classes' own (not a subclass's looked at for its base): the objects
 * refuseModuleSymbols looks at are kept for the warnings (sampledObjects.ts).
 */
const looked = new WeakMap<
  ReadonlyMap<object, ScopeChange>,
  {
    readonly build: BuildResult;
    readonly own: ReadonlyMap<object, string>;
    /** An eager update's lists are every object (a lazy one's may be only those built outside the handle). */
    readonly complete: boolean;
  }
>();

/** `this[name]`, `defineProperty(this, name`: a member of the object under a key from a binding. */
const KEYED_BY_BINDING = /\bthis\s*\[\s*[A-Za-z_$]|defineProperty\(\s*this\s*,\s*[A-Za-z_$]/;
/** `e[name]` on any other object (not `this`): a member under a key from a binding. */
const KEYED_ELSEWHERE = /[\w$\])]\[\s*[A-Za-z_$][\w$]*\s*\]/;

/**
 * The stable prototypes whose objects must be looked at, each with the class
 * whose new implementation comes from another scope (its subclasses' objects
 * hold the same state: a base class may have few objects of its own).
 */
export function scopeChanges(namespace: Namespace, built: Built): Map<object, ScopeChange> {
  const { build, oldDefs } = built;
  const classes = new Map<object, ScopeChange>();
  const readers = new Map<object, string>();
  const own = new Map<object, string>();
  looked.set(classes, { build, own, complete: built.policy === "eager" });
  for (const [name, cls] of build.classes) {
    const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
    const running = fromAnotherScope(cls, old)?.running;
    if (running === undefined) continue;
    // Keys: only for a class that reads state under computed keys itself; a
    // symbol on its objects may also be another module's tag (a framework's
    // mark, the program's own), which a new release of the class does not
    // change.
    const source = Function.prototype.toString.call(running);
    const change = {
      name,
      migrated: hasMigrator(name, build),
      keyed: KEYED_BY_BINDING.test(source) || keyedThroughAlias(source),
      keyedDeep: KEYED_ELSEWHERE.test(source.replace(/\bthis\s*\[/g, "")),
    };
    const prototype = stablePrototype(namespace.classNamed(cls.oldName!));
    own.set(prototype, name);
    const table = tableKeptState(name, build, oldDefs);
    if (change.keyed) readers.set(prototype, name);
    for (const handle of namespace.classes()) {
      const other = stablePrototype(handle);
      if (other !== prototype && !chainContains(other, prototype)) continue;
      // A subclass's objects hold its superclass's keys too; the name is the class's own.
      const before = classes.get(other);
      const own = other === prototype || before === undefined;
      classes.set(other, {
        name: own ? name : before.name,
        migrated: own ? change.migrated : before.migrated,
        keyed: change.keyed || before?.keyed === true,
        keyedDeep: change.keyedDeep || before?.keyedDeep === true,
        readers: [],
        ...(other === prototype && table !== undefined ? { table } : {}),
      });
    }
  }
  for (const [prototype, change] of classes) {
    const chain = [...readers].filter(([p]) => p === prototype || chainContains(prototype, p));
    // Base first: a base's prototype is in the chain of each of its subclasses'.
    chain.sort(([a], [b]) => (chainContains(a, b) ? 1 : chainContains(b, a) ? -1 : 0));
    classes.set(prototype, { ...change, readers: chain.map(([, name]) => name) });
  }
  return classes;
}

/**
 * Refuses, naming them, module symbols among the objects' keys (any
 * object, for a class that reads computed keys) or among their field values
 * (the first objects of each class), unless the patch migrates the class.
 * Keys are gathered over every class before refusing, so that one refusal
 * names them all, with the class whose migrator would cover them. Symbols
 * a platform superclass puts on its objects (EventEmitter's) are shared by
 * both releases; a symbol another module put on the objects (a framework's
 * tag) looks like the class's own: such a class needs a migrator (which may
 * leave it as it is).
 */
export function refuseModuleSymbols(
  classes: ReadonlyMap<object, ScopeChange>,
  /** The objects found of a prototype, or undefined where none were searched for. */
  objectsOf: (prototype: object) => readonly object[] | undefined,
): void {
  const seen = looked.get(classes);
  const keyed = new Map<ScopeChange, symbol[]>();
  let valueRefusal: PrivateStateError | undefined;
  for (const [prototype, change] of classes) {
    // Before a migrator is looked at: none can enter an object in the new release's table.
    if (change.table !== undefined) {
      const objects = objectsOf(prototype);
      if (objects === undefined || (objects.length > 0 && bare(objects, VALUE_SAMPLE)))
        throw tableStateRefusal(change.name, change.table);
    }
    if (change.migrated) continue;
    const objects = objectsOf(prototype);
    if (objects === undefined) continue;
    // A lazy update's empty list may be only the objects built outside the
    // handle (it searches no more): it says nothing of the others.
    const className = seen?.own.get(prototype);
    if (seen && className !== undefined && (objects.length > 0 || seen.complete))
      rememberSample(seen.build, className, objects);
    const platform = platformSymbols(prototype);
    const isModule = (s: unknown): s is symbol => moduleSymbol(s) && !platform.has(s);
    for (let i = 0; change.keyed && i < objects.length; i++) {
      const keys = unlessItThrows(() => Object.getOwnPropertySymbols(objects[i]!)) ?? [];
      const module = keys.filter(isModule);
      if (module.length > 0) {
        keyed.set(change, module);
        break;
      }
    }
    for (let i = 0; !valueRefusal && i < objects.length && i < VALUE_SAMPLE; i++) {
      const found = unlessItThrows(() => symbolValue(objects[i]!, isModule, change.keyedDeep));
      if (found)
        valueRefusal = moduleSymbolValueRefusal(
          change.name,
          found.field,
          found.symbol,
          found.asKey,
        );
    }
  }
  if (keyed.size > 0) {
    const changes = [...keyed.keys()];
    const symbols = [...new Set([...keyed.values()].flat())];
    throw moduleSymbolRefusal(
      changes.map((c) => c.name),
      symbols,
      changes[0]!.readers[0],
    );
  }
  if (valueRefusal) throw valueRefusal;
}

/**
 * Undefined where reading the object throws (a proxy's trap): the migration
 * that follows refuses such an object with its own error.
 */
function unlessItThrows<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * A module symbol held in a field of `object`, directly or in an array (two
 * levels deep); with `keys`, also a key of an object held there (or in a
 * Map or Set held there), other than the symbols its platform classes use.
 */
function symbolValue(
  object: object,
  isModule: (value: unknown) => value is symbol,
  keys: boolean,
): { field: string; symbol: symbol; asKey: boolean } | undefined {
  for (const field of Object.keys(object)) {
    const d = Object.getOwnPropertyDescriptor(object, field);
    if (d === undefined || !("value" in d)) continue;
    const found = inValue(d.value, 2, isModule, keys);
    if (found !== undefined) return { field, ...found };
  }
  return undefined;
}

function inValue(
  value: unknown,
  depth: number,
  isModule: (value: unknown) => value is symbol,
  keys: boolean,
): { symbol: symbol; asKey: boolean } | undefined {
  if (isModule(value)) return { symbol: value, asKey: false };
  if (depth === 0 || typeof value !== "object" || value === null) return undefined;
  const record = keys && isRecord(value);
  const elements = Array.isArray(value)
    ? value
    : keys && (value instanceof Map || value instanceof Set)
      ? [...value.values()].slice(0, ELEMENTS)
      : record
        ? Object.values(value).slice(0, ELEMENTS)
        : undefined;
  if (record) {
    const platform = platformSymbols(Object.getPrototypeOf(value));
    const key = Object.getOwnPropertySymbols(value).find((k) => isModule(k) && !platform.has(k));
    if (key !== undefined) return { symbol: key, asKey: true };
  }
  for (let i = 0; elements !== undefined && i < elements.length && i < ELEMENTS; i++) {
    const found = inValue(elements[i], depth - 1, isModule, keys);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * An object of the package's own kind of record: a plain object (`{ v }`,
 * an index `{ [k]: entry }`) or one an old-style constructor function
 * built (lru_map's `function Entry`). Not an instance of a class: Node's
 * own objects are (a timer's `Symbol(refed)`, an AbortSignal's
 * `kAborted`), with symbols of Node's modules that no release changes.
 */
function isRecord(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === null || prototype === Object.prototype) return true;
  const ctor = (prototype as { constructor?: unknown }).constructor;
  if (typeof ctor !== "function" || Object.getPrototypeOf(prototype) !== Object.prototype)
    return false;
  const source = Function.prototype.toString.call(ctor);
  return source.startsWith("function") && !source.includes("[native code]");
}
