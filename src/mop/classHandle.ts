/**
 * Class handles: the class object a program holds keeps its identity across
 * versions. A handle is a generated forwarding constructor (DESIGN.md: about
 * 1.25x a plain `new`, against 2x for a Proxy construct trap) over a
 * swappable current version.
 *
 * Every class keeps ONE prototype object for its whole life (the first
 * version's). New versions bring a new constructor (how fresh objects are
 * initialised) and their methods are installed on that stable prototype. So
 * migrating an instance never changes its prototype, only its own fields.
 * That matters in V8 (Node 20, measured): once an object's prototype changes,
 * its map loses its back pointer, any later `delete` on it drops it into
 * dictionary mode, and objects that gain fields after the change never share
 * maps. With a stable prototype, a migration (delete trailing fields, add new
 * ones) can be undone or rolled back and every object stays fast and shares
 * one map with the objects migrated alike. `instanceof`, `extends` and `super`
 * use V8's native paths and need no bookkeeping across versions.
 */
import { UnmanagedClassError } from "../errors.js";
import type { ClassDefinition } from "./classDefinition.js";
import type { Constructor } from "./createClass.js";
import { INITIALISE_FIELDS, METHOD_HOME } from "./createClass.js";

export interface ClassVersion {
  readonly ctor: Constructor;
  readonly definition: ClassDefinition;
}

interface HandleState {
  readonly handle: Constructor;
  /** The stable prototype: `handle.prototype`, for the handle's whole life. */
  readonly prototype: object;
  current: Constructor;
  /**
   * How the handle builds an object: "initialise" — the handle allocates it
   * and the current version's field initialiser fills it (versions made by
   * createClass); "new" — `new current()` (an ordinary class whose prototype
   * is the stable one); "reflect" — Reflect.construct onto the stable
   * prototype (an ordinary class given as a new implementation).
   */
  construction: "initialise" | "new" | "reflect";
  definition: ClassDefinition;
  /** Every version this handle has had, oldest first. */
  readonly versions: ClassVersion[];
  /** Objects whose [[Prototype]] must follow the superclass: homes of installed methods (their `super`). */
  readonly homes: Set<object>;
  staticKeys: PropertyKey[];
  /** Called with every object constructed through the handle itself (not through subclasses). */
  observers: readonly ((instance: object) => void)[];
  readonly owner: unknown;
}

const states = new WeakMap<Function, HandleState>();
const prototypeStates = new WeakMap<object, HandleState>();
const SKIPPED_STATICS: ReadonlySet<PropertyKey> = new Set(["length", "name", "prototype"]);
const PROTOTYPE_SKIP: ReadonlySet<PropertyKey> = new Set(["constructor"]);

function stateOf(handle: Function): HandleState {
  const state = states.get(handle);
  if (!state) {
    throw new UnmanagedClassError(`${handle.name || "(anonymous)"} is not a class handle`, {
      className: handle.name,
    });
  }
  return state;
}

export function isClassHandle(value: unknown): value is Constructor {
  return typeof value === "function" && states.has(value);
}

/** The handle whose stable prototype is `prototype`, if any. */
export function handleOfPrototype(prototype: object): Constructor | undefined {
  return prototypeStates.get(prototype)?.handle;
}

/** The nearest class handle on `obj`'s prototype chain. */
export function classHandleOf(obj: object): Constructor | undefined {
  for (let p = Object.getPrototypeOf(obj); p !== null; p = Object.getPrototypeOf(p)) {
    const state = prototypeStates.get(p);
    if (state) return state.handle;
  }
  return undefined;
}

export function currentVersion(handle: Function): ClassVersion {
  const state = stateOf(handle);
  return { ctor: state.current, definition: state.definition };
}

export function versionHistory(handle: Function): readonly ClassVersion[] {
  return stateOf(handle).versions;
}

export function handleOwner(handle: Function): unknown {
  return stateOf(handle).owner;
}

/** The superclass handle, read from the handle's own [[Prototype]]. */
export function superclassHandle(handle: Function): Constructor | null {
  const parent = Object.getPrototypeOf(handle);
  return isClassHandle(parent) ? parent : null;
}

/** Observes every object constructed through the handle itself; returns the undo. */
export function observeConstruction(handle: Function, observer: (instance: object) => void): Undo {
  const state = stateOf(handle);
  state.observers = [...state.observers, observer];
  return () => {
    state.observers = state.observers.filter((o) => o !== observer);
  };
}

function defineStaticForwarders(state: HandleState): void {
  const { handle } = state;
  for (const key of state.staticKeys) Reflect.deleteProperty(handle, key);
  const keys: PropertyKey[] = [];
  for (const key of Reflect.ownKeys(state.current)) {
    if (SKIPPED_STATICS.has(key)) continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(state.current, key)!;
    Object.defineProperty(handle, key, {
      configurable: true,
      enumerable: descriptor.enumerable ?? false,
      get: () => (state.current as unknown as Record<PropertyKey, unknown>)[key],
      set: (value: unknown) => {
        (state.current as unknown as Record<PropertyKey, unknown>)[key] = value;
      },
    });
    keys.push(key);
  }
  state.staticKeys = keys;
}

export interface CreateClassHandleOptions {
  /** The superclass handle; the first version must already extend it (or its current version). */
  readonly superclass?: Constructor | null;
  /** Who manages the handle (a namespace); handles of different owners never mix. */
  readonly owner?: unknown;
}

/**
 * Wraps `initial` (version 1) in a new class handle; `initial.prototype`
 * becomes the handle's stable prototype, so objects `initial` made before
 * are instances of the handle. `initial` must extend the superclass handle
 * (classes made by createClass do) or the superclass's current version (an
 * ordinary class: its `super()` keeps calling that class's own constructor).
 */
export function createClassHandle(
  initial: Constructor,
  definition: ClassDefinition,
  options: CreateClassHandleOptions = {},
): Constructor {
  const name = definition.name;
  const state = {} as HandleState;
  const forward = {
    [name]: function (this: unknown, ...args: unknown[]) {
      const target = new.target as Function | undefined;
      if (target === undefined) {
        throw new TypeError(`Class constructor ${name} cannot be invoked without 'new'`);
      }
      let instance: object;
      if (state.construction === "initialise") {
        // The handle is the only allocator: every object of the class, fresh
        // or migrated, grows its fields from the handle's own initial map, so
        // objects with the same fields share one hidden class (V8, measured).
        (state.current as unknown as Record<symbol, Function>)[INITIALISE_FIELDS]!.call(
          this,
          args[0],
        );
        instance = this as object;
      } else if (state.construction === "new" && target === handle) {
        instance = new (state.current as unknown as new (...a: unknown[]) => object)(...args);
      } else {
        // Correct, but V8 gives objects built this way maps of their own.
        instance = Reflect.construct(state.current, args, target) as object;
      }
      if (target === handle) for (const observe of state.observers) observe(instance);
      return instance;
    },
  }[name]!;
  const handle = forward as unknown as Constructor;
  const prototype = initial.prototype as object;
  Object.assign(state, {
    handle,
    prototype,
    current: initial,
    construction: constructionOf(initial, prototype),
    definition,
    versions: [{ ctor: initial, definition }],
    homes: new Set<object>(),
    staticKeys: [],
    observers: [],
    owner: options.owner,
  });
  states.set(handle, state);
  prototypeStates.set(prototype, state);
  const parent = options.superclass ?? null;
  if (parent !== null) {
    const initialParent = Object.getPrototypeOf(initial);
    if (initialParent !== parent && initialParent !== currentVersion(parent).ctor) {
      throw new UnmanagedClassError(
        `class ${name} does not extend ${parent.name}, its declared superclass in this namespace`,
        { className: name, superclass: parent.name },
      );
    }
    Object.setPrototypeOf(handle, parent);
  }
  handle.prototype = prototype;
  const home = (initial as unknown as Record<symbol, unknown>)[METHOD_HOME];
  if (typeof home === "object" && home !== null) state.homes.add(home);
  Object.defineProperty(handle, INITIALISE_FIELDS, {
    configurable: true,
    value(this: unknown, init: unknown) {
      const initialise = (state.current as unknown as Record<symbol, Function | undefined>)[
        INITIALISE_FIELDS
      ];
      if (!initialise) {
        throw new UnmanagedClassError(
          `${state.definition.name} is not made by createClass; a created class cannot extend it`,
          { className: state.definition.name },
        );
      }
      initialise.call(this, init);
    },
  });
  Object.defineProperty(prototype, "constructor", {
    value: handle,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  defineStaticForwarders(state);
  return handle;
}

function constructionOf(ctor: Constructor, prototype: object): HandleState["construction"] {
  // Own property: an ordinary class extending a handle inherits the handle's.
  if (Object.hasOwn(ctor, INITIALISE_FIELDS)) return "initialise";
  return ctor.prototype === prototype ? "new" : "reflect";
}

/** Restores exactly what one change did. */
export type Undo = () => void;

function snapshotDescriptors(holder: object, skip: ReadonlySet<PropertyKey>) {
  return new Map(
    Reflect.ownKeys(holder)
      .filter((k) => !skip.has(k))
      .map((k) => [k, Reflect.getOwnPropertyDescriptor(holder, k)!] as const),
  );
}

function restoreDescriptors(
  holder: object,
  saved: Map<PropertyKey, PropertyDescriptor>,
  skip: ReadonlySet<PropertyKey>,
): void {
  for (const key of Reflect.ownKeys(holder)) {
    if (!skip.has(key) && !saved.has(key)) Reflect.deleteProperty(holder, key);
  }
  for (const [key, descriptor] of saved) Object.defineProperty(holder, key, descriptor);
}

const isMethodDescriptor = (d: PropertyDescriptor | undefined) =>
  d !== undefined && (!("value" in d) || typeof d.value === "function");

/** Copies `from`'s methods and accessors over `to`'s, removing those `from` lacks; data properties stay. */
function transplantMethods(from: object, to: object, skip: ReadonlySet<PropertyKey>): void {
  for (const key of Reflect.ownKeys(to)) {
    if (skip.has(key) || !isMethodDescriptor(Reflect.getOwnPropertyDescriptor(to, key))) continue;
    if (!Object.hasOwn(from, key)) Reflect.deleteProperty(to, key);
  }
  for (const key of Reflect.ownKeys(from)) {
    if (skip.has(key)) continue;
    const d = Reflect.getOwnPropertyDescriptor(from, key)!;
    if (isMethodDescriptor(d) || !Object.hasOwn(to, key)) Object.defineProperty(to, key, d);
  }
}

/**
 * Makes `version` the handle's current version: fresh objects are built by
 * its constructor, and its methods and accessors replace the old ones on the
 * stable prototype (DESIGN.md: ~40 µs, whatever the number of instances, no
 * steady-state cost). Static data values of the old version are carried over
 * when the new one defines them too. Returns the undo.
 */
export function installVersion(handle: Function, version: ClassVersion): Undo {
  const state = stateOf(handle);
  const { prototype } = state;
  const before = {
    current: state.current,
    definition: state.definition,
    name: Object.getOwnPropertyDescriptor(handle, "name")!,
    prototype: snapshotDescriptors(prototype, PROTOTYPE_SKIP),
    construction: state.construction,
  };
  const home = ((version.ctor as unknown as Record<symbol, unknown>)[METHOD_HOME] ??
    version.ctor.prototype) as object;
  const hadHome = state.homes.has(home);
  if (version.ctor !== before.current) {
    for (const key of Reflect.ownKeys(version.ctor)) {
      if (SKIPPED_STATICS.has(key)) continue;
      const oldD = Reflect.getOwnPropertyDescriptor(before.current, key);
      const newD = Reflect.getOwnPropertyDescriptor(version.ctor, key);
      if (
        oldD &&
        "value" in oldD &&
        typeof oldD.value !== "function" &&
        newD &&
        "value" in newD &&
        newD.writable
      ) {
        (version.ctor as unknown as Record<PropertyKey, unknown>)[key] = oldD.value;
      }
    }
  }
  if (home !== prototype) {
    transplantMethods(home, prototype, PROTOTYPE_SKIP);
    state.homes.add(home);
  }
  state.current = version.ctor;
  state.construction = constructionOf(version.ctor, prototype);
  state.definition = version.definition;
  state.versions.push(version);
  if (version.definition.name !== handle.name) {
    Object.defineProperty(handle, "name", { ...before.name, value: version.definition.name });
  }
  defineStaticForwarders(state);
  return () => {
    restoreDescriptors(prototype, before.prototype, PROTOTYPE_SKIP);
    if (!hadHome) state.homes.delete(home);
    state.current = before.current;
    state.construction = before.construction;
    state.definition = before.definition;
    const at = state.versions.lastIndexOf(version);
    if (at >= 0) state.versions.splice(at, 1);
    Object.defineProperty(handle, "name", before.name);
    defineStaticForwarders(state);
  };
}

/**
 * Forgets every version but the current one and the homes of methods no
 * longer installed: called when an update is made permanent (nothing can
 * undo it), so that a class updated many times does not keep them all.
 */
export function forgetOldVersions(handle: Function, homesToo: boolean): void {
  const state = stateOf(handle);
  state.versions.splice(0, state.versions.length - 1);
  if (!homesToo) return;
  const home = ((state.current as unknown as Record<symbol, unknown>)[METHOD_HOME] ??
    state.current.prototype) as object;
  for (const h of state.homes) if (h !== home) state.homes.delete(h);
}

/** The handle's stable prototype. */
export function stablePrototype(handle: Function): object {
  return stateOf(handle).prototype;
}

/**
 * Points the handle, its current constructor, its stable prototype and the
 * homes of its methods at `superclass` (a handle, or null for a root class).
 * Only class-level objects change; no instance changes map.
 */
export function reparent(handle: Function, superclass: Constructor | null): Undo {
  const state = stateOf(handle);
  const functions: object[] = [handle, state.current];
  const targets: object[] = [...functions, state.prototype, ...state.homes];
  const before = targets.map((t) => Object.getPrototypeOf(t) as object | null);
  const parentPrototype = superclass === null ? Object.prototype : (superclass.prototype as object);
  for (const t of targets) {
    const current = Object.getPrototypeOf(t) as object | null;
    // A root class may extend something outside the namespace (EventEmitter,
    // a lifecycle base class): only a link to a managed class is cut.
    const managed = current !== null && (isClassHandle(current) || prototypeStates.has(current));
    if (superclass === null && !managed) continue;
    const wanted = functions.includes(t) ? (superclass ?? Function.prototype) : parentPrototype;
    if (current !== wanted) Object.setPrototypeOf(t, wanted);
  }
  return () => {
    targets.forEach((t, i) => {
      if (Object.getPrototypeOf(t) !== before[i]) Object.setPrototypeOf(t, before[i]!);
    });
  };
}
