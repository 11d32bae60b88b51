/**
 * Class handles: the class object a program holds keeps its identity across
 * versions. A handle is a generated forwarding constructor (DESIGN.md: about
 * 1.25x a plain `new`, against 2x for a Proxy construct trap) over a
 * swappable current version. Each version is a real class; its prototype is
 * the handle's `prototype` while it is current, so `instanceof`, `extends`
 * and inherited methods use V8's native paths. Statics are accessors on the
 * handle that forward to the current version.
 */
import { UnmanagedClassError } from "../errors.js";
import type { ClassDefinition } from "./classDefinition.js";
import type { Constructor } from "./createClass.js";

export interface ClassVersion {
  readonly ctor: Constructor;
  readonly definition: ClassDefinition;
}

interface HandleState {
  readonly handle: Constructor;
  current: Constructor;
  definition: ClassDefinition;
  /** Every version this handle has had, oldest first; old prototypes may still hold unmigrated instances. */
  readonly versions: ClassVersion[];
  /** Prototypes of superseded versions whose instances still count as instances of the handle. */
  readonly retained: Set<object>;
  /** Extra objects whose [[Prototype]] must follow the superclass (homes of methods patched in place). */
  readonly homes: Set<object>;
  staticKeys: PropertyKey[];
  recorder: ((instance: object) => void) | null;
  readonly owner: unknown;
}

const states = new WeakMap<Function, HandleState>();
const prototypeStates = new WeakMap<object, HandleState>();
const SKIPPED_STATICS = new Set<PropertyKey>(["length", "name", "prototype"]);

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

/** The handle whose version (current or retained) owns `prototype`, if any. */
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

/** Called with every object constructed through the handle itself (not through subclasses). */
export function setConstructionRecorder(
  handle: Function,
  recorder: ((instance: object) => void) | null,
): void {
  stateOf(handle).recorder = recorder;
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

function adoptPrototype(state: HandleState, ctor: Constructor): void {
  const prototype = ctor.prototype as object;
  Object.defineProperty(prototype, "constructor", {
    value: state.handle,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  prototypeStates.set(prototype, state);
}

export interface CreateClassHandleOptions {
  /** The superclass handle; the first version must already extend it (or its current version). */
  readonly superclass?: Constructor | null;
  /** Who manages the handle (a namespace); handles of different owners never mix. */
  readonly owner?: unknown;
}

/**
 * Wraps `initial` (version 1) in a new class handle. If `initial` extends the
 * current version of the superclass handle rather than the handle itself, it
 * is re-pointed at the handle so that `super()` always reaches the superclass's
 * current version.
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
      if (target === handle) {
        const instance = Reflect.construct(state.current, args, state.current) as object;
        if (state.recorder !== null) state.recorder(instance);
        return instance;
      }
      return Reflect.construct(state.current, args, target);
    },
  }[name]!;
  const handle = forward as unknown as Constructor;
  Object.assign(state, {
    handle,
    current: initial,
    definition,
    versions: [{ ctor: initial, definition }],
    retained: new Set<object>(),
    homes: new Set<object>(),
    staticKeys: [],
    recorder: null,
    owner: options.owner,
  });
  states.set(handle, state);
  const parent = options.superclass ?? null;
  if (parent !== null) {
    const parentCurrent = currentVersion(parent).ctor;
    const initialParent = Object.getPrototypeOf(initial);
    if (initialParent === parentCurrent) Object.setPrototypeOf(initial, parent);
    else if (initialParent !== parent) {
      throw new UnmanagedClassError(
        `class ${name} does not extend ${parent.name}, its declared superclass in this namespace`,
        { className: name, superclass: parent.name },
      );
    }
    Object.setPrototypeOf(handle, parent);
  }
  handle.prototype = initial.prototype;
  adoptPrototype(state, initial);
  defineStaticForwarders(state);
  return handle;
}

/** Restores exactly what one install changed. */
export type Undo = () => void;

/**
 * Makes `version` the handle's current version: new instances are built by
 * it and get its prototype. Static data values that both versions define are
 * carried over. Returns the undo that restores the previous version.
 */
export function installVersion(handle: Function, version: ClassVersion): Undo {
  const state = stateOf(handle);
  const before = {
    current: state.current,
    definition: state.definition,
    prototype: handle.prototype as object,
    versions: state.versions.length,
    name: Object.getOwnPropertyDescriptor(handle, "name")!,
  };
  for (const key of Reflect.ownKeys(version.ctor)) {
    if (SKIPPED_STATICS.has(key)) continue;
    const oldDescriptor = Reflect.getOwnPropertyDescriptor(before.current, key);
    const newDescriptor = Reflect.getOwnPropertyDescriptor(version.ctor, key);
    if (oldDescriptor && "value" in oldDescriptor && typeof oldDescriptor.value !== "function") {
      if (newDescriptor && "value" in newDescriptor && newDescriptor.writable) {
        (version.ctor as unknown as Record<PropertyKey, unknown>)[key] = oldDescriptor.value;
      }
    }
  }
  state.current = version.ctor;
  state.definition = version.definition;
  state.versions.push(version);
  adoptPrototype(state, version.ctor);
  handle.prototype = version.ctor.prototype;
  if (version.definition.name !== handle.name) {
    Object.defineProperty(handle, "name", { ...before.name, value: version.definition.name });
  }
  defineStaticForwarders(state);
  return () => {
    state.current = before.current;
    state.definition = before.definition;
    state.versions.length = before.versions;
    handle.prototype = before.prototype;
    Object.defineProperty(handle, "name", before.name);
    defineStaticForwarders(state);
  };
}

/** Replaces the definition a handle reports without changing its version (methods patched in place). */
export function setCurrentDefinition(handle: Function, definition: ClassDefinition): Undo {
  const state = stateOf(handle);
  const before = state.definition;
  state.definition = definition;
  return () => {
    state.definition = before;
  };
}

/** Records an object (a method's home) whose [[Prototype]] must follow this class's superclass. */
export function addMethodHome(handle: Function, home: object): void {
  stateOf(handle).homes.add(home);
}

/**
 * Points the handle, its current prototype and its method homes at
 * `superclass` (a handle, or null for a root class). Prototype objects only:
 * no instance changes map.
 */
export function reparent(handle: Function, superclass: Constructor | null): Undo {
  const state = stateOf(handle);
  const targets: object[] = [handle, state.current, state.current.prototype, ...state.homes];
  const before = targets.map((t) => Object.getPrototypeOf(t) as object | null);
  const parentPrototype = superclass === null ? Object.prototype : (superclass.prototype as object);
  const wanted = (t: object): object =>
    t === handle || t === state.current ? (superclass ?? Function.prototype) : parentPrototype;
  for (const t of targets) {
    const w = wanted(t);
    if (Object.getPrototypeOf(t) !== w) Object.setPrototypeOf(t, w);
  }
  return () => {
    targets.forEach((t, i) => {
      if (Object.getPrototypeOf(t) !== before[i]) Object.setPrototypeOf(t, before[i]!);
    });
  };
}

/**
 * Keeps `instanceof handle` true for objects still on a superseded prototype
 * (lazy migration) by installing `Symbol.hasInstance` while any is retained.
 */
export function retainPrototype(handle: Function, prototype: object): Undo {
  const state = stateOf(handle);
  state.retained.add(prototype);
  prototypeStates.set(prototype, state);
  syncHasInstance(state);
  return () => releasePrototype(handle, prototype);
}

export function releasePrototype(handle: Function, prototype: object): void {
  const state = stateOf(handle);
  state.retained.delete(prototype);
  syncHasInstance(state);
}

function syncHasInstance(state: HandleState): void {
  const { handle } = state;
  if (state.retained.size === 0) {
    Reflect.deleteProperty(handle, Symbol.hasInstance);
    return;
  }
  Object.defineProperty(handle, Symbol.hasInstance, {
    configurable: true,
    value(this: Function, candidate: unknown): boolean {
      // Subclass handles inherit this static; they answer for themselves.
      if (this !== handle) return Function.prototype[Symbol.hasInstance].call(this, candidate);
      if ((typeof candidate !== "object" && typeof candidate !== "function") || candidate === null) {
        return false;
      }
      if (Function.prototype[Symbol.hasInstance].call(this, candidate)) return true;
      for (const p of state.retained) if (Object.prototype.isPrototypeOf.call(p, candidate)) return true;
      return false;
    },
  });
}

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

/** Copies `from`'s methods and accessors over `to`'s, removing those `from` lacks; data properties stay. */
function transplantMethods(from: object, to: object, skip: ReadonlySet<PropertyKey>): void {
  const isMethod = (d: PropertyDescriptor | undefined) =>
    d !== undefined && (!("value" in d) || typeof d.value === "function");
  for (const key of Reflect.ownKeys(to)) {
    if (skip.has(key) || !isMethod(Reflect.getOwnPropertyDescriptor(to, key))) continue;
    if (!Object.hasOwn(from, key)) Reflect.deleteProperty(to, key);
  }
  for (const key of Reflect.ownKeys(from)) {
    if (skip.has(key)) continue;
    const d = Reflect.getOwnPropertyDescriptor(from, key)!;
    if (isMethod(d) || !Object.hasOwn(to, key)) Object.defineProperty(to, key, d);
  }
}

const PROTOTYPE_SKIP = new Set<PropertyKey>(["constructor"]);

/**
 * Installs the methods, accessors and statics of `source` on the handle's
 * current version in place (DESIGN.md: about 40 µs whatever the number of
 * instances, no steady-state cost): no instance changes prototype or map.
 * Static data values of the current version are kept.
 */
export function patchMethodsInPlace(handle: Function, source: ClassVersion): Undo {
  const state = stateOf(handle);
  const prototype = state.current.prototype as object;
  const ctor = state.current;
  const savedPrototype = snapshotDescriptors(prototype, PROTOTYPE_SKIP);
  const savedStatics = snapshotDescriptors(ctor, SKIPPED_STATICS);
  const before = { definition: state.definition, name: Object.getOwnPropertyDescriptor(handle, "name")! };
  const hadHome = state.homes.has(source.ctor.prototype as object);

  transplantMethods(source.ctor.prototype as object, prototype, PROTOTYPE_SKIP);
  transplantMethods(source.ctor, ctor, SKIPPED_STATICS);
  state.homes.add(source.ctor.prototype as object);
  state.definition = source.definition;
  if (source.definition.name !== handle.name) {
    Object.defineProperty(handle, "name", { ...before.name, value: source.definition.name });
  }
  defineStaticForwarders(state);
  return () => {
    restoreDescriptors(prototype, savedPrototype, PROTOTYPE_SKIP);
    restoreDescriptors(ctor, savedStatics, SKIPPED_STATICS);
    if (!hadHome) state.homes.delete(source.ctor.prototype as object);
    state.definition = before.definition;
    Object.defineProperty(handle, "name", before.name);
    defineStaticForwarders(state);
  };
}
