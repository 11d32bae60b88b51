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
import {
  type ClassVersion,
  type HandleState,
  handleStates,
  withBuild,
  withInitialise,
  withObserver,
} from "./handleState.js";
import { bindClassName, type Constructor, INITIALISE_FIELDS, METHOD_HOME } from "./createClass.js";
import { forwardLifecycleCallbacks } from "./customElementCallbacks.js";
import { derivedFrom } from "./derivedFrom.js";
import { makeForwarder } from "./handleForwarder.js";
import { isHtmlElement } from "./htmlElements.js";
import { noteStablePrototype } from "./instances/finder.js";
import { rememberOriginalMembers } from "./originalMembers.js";
import { defineStaticForwarders, settleStatics } from "./staticForwarders.js";
import { buildOf, isDerivedClass, makeStableClass } from "./stableClass.js";
import { extendedClass } from "./extendedClass.js";

export type { ClassVersion } from "./handleState.js";

const states = handleStates;
/** The constructor each installed definition came with (the class the user handed in, or a generated one). */
const constructorsOfDefinitions = new WeakMap<ClassDefinition, Constructor>();

/** Remembers which constructor `version.definition` describes. */
export function recordVersion(version: ClassVersion): void {
  constructorsOfDefinitions.set(version.definition, version.ctor);
}

/** The constructor of the version a handle installed with `definition`, if any. */
export function constructorOfDefinition(definition: ClassDefinition): Constructor | undefined {
  return constructorsOfDefinitions.get(definition);
}
export const prototypeStates = new WeakMap<object, HandleState>();
/**
 * A class handle as a namespace hands it back: one the program can `new`
 * (a Constructor is abstract, to take abstract classes in; a handle out of
 * a lookup is never abstract), with whatever arguments its class takes.
 */
export type ClassHandle<T extends object = object> = Constructor<T> &
  (new (
    ...args: unknown[]
  ) => T);

/** The handle each version constructor belongs to. */
export const versionStates = new WeakMap<Function, HandleState>();
export const PROTOTYPE_SKIP: ReadonlySet<PropertyKey> = new Set(["constructor"]);

export function stateOf(handle: Function): HandleState {
  const state = states.get(handle);
  if (!state) {
    throw new UnmanagedClassError(`${handle.name || "(anonymous)"} is not a class handle`, {
      className: handle.name,
    });
  }
  return state;
}

export function isClassHandle(value: unknown): value is ClassHandle {
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
  const state = settleStatics(stateOf(handle));
  return { ctor: state.current, definition: state.definition };
}

/** The definition of the handle's current version (currentVersion without the pair). */
export function currentDefinition(handle: Function): ClassDefinition {
  return stateOf(handle).definition;
}

export function versionHistory(handle: Function): readonly ClassVersion[] {
  return stateOf(handle).versions;
}

export function handleOwner(handle: Function): unknown {
  return stateOf(handle).owner;
}

/**
 * The class outside the namespace that `handle`'s root class extends (`Map`,
 * `Error`, a package's class), read from the root handle's [[Prototype]];
 * null when the root extends nothing.
 */
export function externalSuperclassOf(handle: Function): Function | null {
  let c: unknown = handle;
  while (isClassHandle(c)) c = Object.getPrototypeOf(c);
  return typeof c === "function" && c !== Function.prototype ? c : null;
}

/** Whether `fn` is built into the platform (`Map`, `Error`, `HTMLElement`): its source is native code. */
export function isNativeClass(fn: Function): boolean {
  return /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(fn));
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
  withObserver(state, combinedObserver(state.observers));
  return () => {
    state.observers = state.observers.filter((o) => o !== observer);
    withObserver(state, combinedObserver(state.observers));
  };
}

function combinedObserver(
  observers: readonly ((instance: object) => void)[],
): ((instance: object) => void) | null {
  if (observers.length === 0) return null;
  if (observers.length === 1) return observers[0]!;
  return (instance) => {
    for (const observer of observers) observer(instance);
  };
}

export interface CreateClassHandleOptions {
  /** The superclass handle; the first version must already extend it (or its current version). */
  readonly superclass?: Constructor | null;
  /** Who manages the handle (a namespace); handles of different owners never mix. */
  readonly owner?: unknown;
  /**
   * For a root class, the class outside the namespace it extends (`Map`, a
   * package's class), which the first version must extend directly: the
   * handle extends it too, so statics and `instanceof` behave as for the class.
   */
  readonly external?: Function | null;
  /**
   * The objects' `constructor` is the running implementation, not the handle:
   * for an ordinary class whose own code (a package's) compares
   * `obj.constructor` with its class (`switch (node.constructor)` in
   * chevrotain's visitors) and builds with `new obj.constructor()`.
   */
  readonly implementationConstructor?: boolean;
  /**
   * Every object of the class is built through the handle (none was built
   * before): a root class then gets a stable prototype of the handle's own
   * (stableClass.ts), so that every version builds straight onto it.
   */
  readonly builtOnlyThroughHandle?: boolean;
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
  const state = withObserver({}, null) as HandleState;
  const forward = makeForwarder(
    state,
    name,
    (ctor) => states.has(ctor) || versionStates.has(ctor),
    layoutSize(definition, options.superclass ?? null),
  );
  const handle = forward as unknown as Constructor;
  const own = options.builtOnlyThroughHandle === true ? makeStableClass(initial) : null;
  const stableClass = own ?? (isDerivedClass(initial) ? initial : null);
  rememberOriginalMembers(initial, PROTOTYPE_SKIP);
  initialiseState(state, handle, initial, definition, { ...options, stableClass });
  const { prototype } = state;
  // As after a new implementation (classVersions.ts installVersion): the
  // stable prototype sits on the version's own, a home of its members.
  if (own !== null) state.homes.add(initial.prototype);
  withBuild(state, buildOf(state));
  handle.prototype = prototype;
  const home = (initial as unknown as Record<symbol, unknown>)[METHOD_HOME];
  if (typeof home === "object" && home !== null) state.homes.add(home);
  // A created version's own is forwarded with its other statics: defined
  // here first, it would change from a method to an accessor there, which
  // puts the handle in dictionary mode (o instanceof Handle: 10 ns, not 2).
  if (!Object.hasOwn(initial, INITIALISE_FIELDS)) defineInitialiseFields(state);
  if (!state.implementationConstructor) defineConstructor(prototype, handle);
  defineStaticForwarders(state);
  bindClassName(initial, handle);
  if (isHtmlElement(prototype)) forwardLifecycleCallbacks(); // before customElements.define
  return handle;
}

/** The fields an object of the class gets: its own and its managed superclasses'. */
function layoutSize(definition: ClassDefinition, superclass: Function | null): number {
  let size = definition.fields.length;
  for (let s = superclass; s !== null; s = Object.getPrototypeOf(s) as Function | null) {
    const above = states.get(s);
    if (above === undefined) break;
    size += above.definition.fields.length;
  }
  return size;
}

/** Sets the stable prototype's `constructor` (what `obj.constructor` answers). */
export function defineConstructor(prototype: object, value: Function): void {
  Object.defineProperty(prototype, "constructor", {
    value,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/** Fills the handle's state, registers it, and links the handle to its superclass. */
function initialiseState(
  state: HandleState,
  handle: Constructor,
  initial: Constructor,
  definition: ClassDefinition,
  options: CreateClassHandleOptions & { readonly stableClass: Function | null },
): void {
  const name = definition.name;
  const prototype = (options.stableClass ?? initial).prototype as object;
  Object.assign(state, {
    handle,
    prototype,
    stableClass: options.stableClass,
    buildTarget: options.stableClass ?? handle,
    current: initial,
    construction: constructionOf(initial, prototype),
    definition,
    versions: [{ ctor: initial, definition }],
    homes: new Set<object>(),
    statics: new Map<PropertyKey, PropertyDescriptor>(),
    observers: [],
    owner: options.owner,
    implementationConstructor: options.implementationConstructor === true,
    children: new Set<WeakRef<HandleState>>(),
    self: new WeakRef(state),
  });
  withInitialise(state, initialiserOf(initial, prototype));
  states.set(handle, state);
  prototypeStates.set(prototype, state);
  noteStablePrototype(prototype);
  versionStates.set(initial, state);
  recordVersion({ ctor: initial, definition });
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
    stateOf(parent).children.add(state.self);
    followSuperclass(state);
    return;
  }
  const external = options.external ?? null;
  if (external !== null) {
    if (Object.getPrototypeOf(initial) !== external) {
      throw new UnmanagedClassError(
        `class ${name} does not extend ${external.name}, its declared superclass outside the namespace`,
        { className: name, superclass: external.name },
      );
    }
    Object.setPrototypeOf(handle, external);
  }
}

/** What a created subclass's `super` initialisation calls: the current version's field initialiser. */
function defineInitialiseFields(state: HandleState): void {
  Object.defineProperty(state.handle, INITIALISE_FIELDS, {
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
}

/** The field initialiser a handle calls for versions made by createClass, else null. */
export function initialiserOf(ctor: Constructor, prototype: object): Function | null {
  if (constructionOf(ctor, prototype) !== "initialise") return null;
  return (ctor as unknown as Record<symbol, Function>)[INITIALISE_FIELDS] ?? null;
}

export function constructionOf(ctor: Constructor, prototype: object): HandleState["construction"] {
  // Own property: an ordinary class extending a handle inherits the handle's.
  if (Object.hasOwn(ctor, INITIALISE_FIELDS)) return "initialise";
  if (isHtmlElement(prototype)) return "construct";
  return ctor.prototype === prototype ? "new" : "reflect";
}

/**
 * The class a subclass's ordinary constructor should reach with `super()`:
 * the running class when it is an ordinary class (writtenStatics.ts
 * extendedClass), the handle when made by createClass (the one allocator).
 */
function runningClass(state: HandleState): Function {
  return state.construction === "initialise" ? state.handle : extendedClass(state);
}

/**
 * Links the current version of `state`'s class, when it is an ordinary class
 * written to extend the superclass handle (`class Sub extends Handle`, or a
 * new implementation of it), straight to the superclass's running class, so
 * that `super()` never passes through the handle. Through the handle, an
 * ordinary function, V8 allocated once with the subclass as new.target and the
 * superclass's version allocated again: the subclass's cached initial map
 * flipped between two constructors and every object got a map of its own
 * (~100× a plain `new`, bench mop.registered.construction.subclass). Called
 * whenever the running classes change (a new version of either class, its
 * undo, a new superclass); a constructor extending anything else is left.
 */
export function followSuperclass(state: HandleState): void {
  linkToSuperclass(state);
  // What the running class extends decides whether it builds with the stable class.
  withBuild(state, buildOf(state));
}

function linkToSuperclass(state: HandleState): void {
  if (state.construction === "initialise") return;
  const parent = Object.getPrototypeOf(state.handle) as Function | null;
  const parentState = parent === null ? undefined : states.get(parent);
  if (parentState === undefined) return;
  const wanted = runningClass(parentState);
  // A version derived for a field patch has the version it derives from
  // build its objects: that one's `super()` must reach the running superclass too.
  for (let c: Function | undefined = state.current; c !== undefined; c = derivedFrom(c)) {
    const linked = Object.getPrototypeOf(c) as Function | null;
    if (linked !== parent && (linked === null || versionStates.get(linked) !== parentState))
      continue;
    if (linked !== wanted) Object.setPrototypeOf(c, wanted);
  }
}

/** followSuperclass for the subclasses of `state`'s class, after its running class changed. */
export function followSuperclassInChildren(state: HandleState): void {
  for (const ref of state.children) {
    const child = ref.deref();
    if (child === undefined) state.children.delete(ref);
    else followSuperclass(child);
  }
}

/** Restores exactly what one change did. */
export type Undo = () => void;

/** The handle's stable prototype. */
export function stablePrototype(handle: Function): object {
  return stateOf(handle).prototype;
}
