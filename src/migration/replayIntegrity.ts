/**
 * A second run (targetReplay.ts) acts on the live object, inside the
 * commit (eager) or at a first touch (lazy, progressive): anything after it
 * may still fail, and the object must then go back exactly as it was. A
 * migrator that freezes, seals or prevents extensions of its target
 * (`Object.freeze(target)` passes the target to a call, so it runs again)
 * made that impossible — a non-extensible object cannot be made extensible
 * again — and left objects frozen, with the new fields, under the old
 * class; a lazy update so migrated could never be rolled back. Found after
 * the run it is too late, so these calls are refused while they are made:
 * for the duration of the second runs, `Object.freeze`, `Object.seal`,
 * `Object.preventExtensions` and `Reflect.preventExtensions` throw when
 * given a target being run on, and so do `Object.defineProperty`,
 * `Object.defineProperties` and `Reflect.defineProperty` when they would
 * make one of its properties non-configurable (or a non-configurable one
 * read-only), which no undo can delete or write back; every other object
 * is left to the real ones. The first run, on the copy, is guarded alike,
 * so that a migrator that always does so is refused before anything
 * changes. Migrators run synchronously (asynchronous ones are refused), so no
 * other code sees the wrappers. A migrator that reached the real functions
 * another way (kept from before, another realm's) is still caught after
 * the run; its object cannot be undone, and the refusal says so.
 */
import { MigrationError } from "../errors.js";

/** What a refusal names: the live object (also where the run is on its copy). */
export interface Guarded {
  readonly className: string;
  readonly migrator: () => string;
  readonly object: object;
}

type Fn = (...args: unknown[]) => unknown;

/** The functions that can lock an object, as a realm has them. */
interface Locks {
  readonly freeze: Fn;
  readonly seal: Fn;
  readonly preventExtensions: Fn;
  readonly reflectPreventExtensions: Fn;
  readonly defineProperty: Fn;
  readonly defineProperties: Fn;
  readonly reflectDefineProperty: Fn;
}

/** Where they live, writable (`Reflect`'s are namespace functions to TypeScript). */
const objectFunctions = Object as unknown as {
  freeze: Fn;
  seal: Fn;
  preventExtensions: Fn;
  defineProperty: Fn;
  defineProperties: Fn;
};
const reflectFunctions = Reflect as unknown as { preventExtensions: Fn; defineProperty: Fn };

const current = (): Locks => ({
  freeze: objectFunctions.freeze,
  seal: objectFunctions.seal,
  preventExtensions: objectFunctions.preventExtensions,
  reflectPreventExtensions: reflectFunctions.preventExtensions,
  defineProperty: objectFunctions.defineProperty,
  defineProperties: objectFunctions.defineProperties,
  reflectDefineProperty: reflectFunctions.defineProperty,
});

/**
 * Plain assignments: V8 keeps them fast where `Reflect.set` on `Object`
 * cost 0.4 µs a pair. Throws on frozen intrinsics; `only` puts back just
 * what differs (what was replaced was writable).
 */
function put(locks: Locks, only = false): void {
  const o = objectFunctions;
  const r = reflectFunctions;
  if (!only || o.freeze !== locks.freeze) o.freeze = locks.freeze;
  if (!only || o.seal !== locks.seal) o.seal = locks.seal;
  if (!only || o.preventExtensions !== locks.preventExtensions)
    o.preventExtensions = locks.preventExtensions;
  if (!only || r.preventExtensions !== locks.reflectPreventExtensions)
    r.preventExtensions = locks.reflectPreventExtensions;
  if (!only || o.defineProperty !== locks.defineProperty) o.defineProperty = locks.defineProperty;
  if (!only || o.defineProperties !== locks.defineProperties)
    o.defineProperties = locks.defineProperties;
  if (!only || r.defineProperty !== locks.reflectDefineProperty)
    r.defineProperty = locks.reflectDefineProperty;
}

interface Entry {
  readonly who: Guarded;
  refusal: MigrationError | null;
}

/** Targets being run on now (nested runs each add theirs), and the first refusal each met. */
const guarded = new Map<object, Entry>();
/** The real functions while the wrappers are in place. */
let originals: Locks | null = null;

/** The refusal of `how` (`locked (Object.freeze)`, …) done by a migrator that runs again to its target. */
export function lockRefusal(who: Guarded, how: string): MigrationError {
  const { object } = who;
  const migrator = who.migrator();
  return new MigrationError(
    `migrator ${migrator} of a ${who.className} instance makes its target ${how}; it can hold its target beyond its run, so it runs again on the object itself, which, so locked, could not be put back as it was if the update were undone or rolled back: the update is refused (lock objects in an afterCommit hook, or in the new version's methods)`,
    { className: who.className, migrator, object, change: how },
  );
}

const entryOf = (object: unknown): Entry | undefined =>
  typeof object === "object" && object !== null ? guarded.get(object) : undefined;

/** Whether defining `key` with `descriptor` on `object` is a change no rewrite can undo. */
function fixes(object: object, key: unknown, descriptor: unknown): boolean {
  if (typeof descriptor !== "object" || descriptor === null) return false;
  const d = descriptor as PropertyDescriptor;
  const now = Reflect.getOwnPropertyDescriptor(object, key as PropertyKey);
  if (now?.configurable === false) return now.writable === true && d.writable === false;
  return (d.configurable ?? now?.configurable ?? false) === false;
}

/** What a call of `how` with `args` would lock of a guarded target: its entry, or undefined. */
function locking(how: string, args: readonly unknown[]): Entry | undefined {
  const entry = entryOf(args[0]);
  if (entry === undefined) return undefined;
  const object = args[0] as object;
  if (!how.endsWith("defineProperties")) {
    if (!how.endsWith("defineProperty") || fixes(object, args[1], args[2])) return entry;
    return undefined;
  }
  const all = args[1];
  if (typeof all !== "object" || all === null) return undefined;
  const descriptors = all as Record<PropertyKey, unknown>;
  return Reflect.ownKeys(descriptors).some((k) => fixes(object, k, descriptors[k]))
    ? entry
    : undefined;
}

function wrapped(original: Fn, how: string): Fn {
  return function (this: unknown, ...args: unknown[]): unknown {
    const entry = guarded.size === 0 ? undefined : locking(how, args);
    if (entry !== undefined) {
      entry.refusal ??= lockRefusal(entry.who, `locked (${how})`);
      throw entry.refusal;
    }
    return Reflect.apply(original, this, args);
  };
}

/** The wrappers last made, for the functions they wrap: made again only if those were replaced since. */
let made: { readonly originals: Locks; readonly wrappers: Locks } | null = null;

const sameLocks = (a: Locks, b: Locks): boolean =>
  (Object.keys(a) as (keyof Locks)[]).every((k) => a[k] === b[k]);

/** Puts the wrappers in place; false where the realm's functions cannot be replaced (frozen intrinsics). */
function install(): boolean {
  const kept = current();
  if (made === null || !sameLocks(made.originals, kept)) {
    const wrappers: Locks = {
      freeze: wrapped(kept.freeze, "Object.freeze"),
      seal: wrapped(kept.seal, "Object.seal"),
      preventExtensions: wrapped(kept.preventExtensions, "Object.preventExtensions"),
      reflectPreventExtensions: wrapped(kept.reflectPreventExtensions, "Reflect.preventExtensions"),
      defineProperty: wrapped(kept.defineProperty, "Object.defineProperty"),
      defineProperties: wrapped(kept.defineProperties, "Object.defineProperties"),
      reflectDefineProperty: wrapped(kept.reflectDefineProperty, "Reflect.defineProperty"),
    };
    made = { originals: kept, wrappers };
  }
  try {
    put(made.wrappers);
  } catch {
    put(kept, true);
    return false;
  }
  originals = kept;
  return true;
}

/**
 * Runs `run` (a migrator's run on an object it may keep) with `object`
 * guarded: a call that would lock it throws its refusal, which is thrown
 * again after the run even if the migrator caught it.
 */
export function whileGuarded(object: object, who: Guarded, run: () => void): void {
  const outermost = originals === null;
  if (outermost && !install()) {
    run();
    return;
  }
  const entry: Entry = { who, refusal: null };
  const outer = guarded.get(object);
  guarded.set(object, entry);
  try {
    run();
  } finally {
    if (outer === undefined) guarded.delete(object);
    else guarded.set(object, outer);
    if (outermost) {
      put(originals!);
      originals = null;
    }
  }
  if (entry.refusal !== null) throw entry.refusal;
}
