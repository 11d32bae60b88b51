/**
 * The class whose `prototype` is a handle's stable prototype: the new.target
 * with which the running version builds every object made through the
 * handle (HandleState.stableClass).
 *
 * Why a class of its own: V8 (Node 20) keeps the hidden class of objects
 * built with another new.target only when that new.target is a class
 * constructor with `extends` (a derived constructor); the cache is the
 * new.target's initial map, re-keyed when another constructor builds. The
 * handle is an ordinary function, so with it as new.target every object got
 * a hidden class of its own; building with the running version and moving
 * the object onto the stable prototype afterwards (what the handle did for a
 * new implementation, every reload under `metamorph dev`) cost ~70 ns a
 * construction against ~6 for a plain `new` (bench
 * mop.registered.construction.afterNewImplementation). With a derived class
 * whose prototype is the stable one, the running version, whichever it is,
 * builds straight onto the stable prototype from a cached map.
 *
 * A first version that extends something is such a class already. A root
 * class gets one only when the handle builds every object of it (the
 * program said so, `constructedOnlyThroughHandle`, and its statics made
 * none): the stable prototype is then that class's fresh prototype rather
 * than the first version's own, which holds copies of the first version's
 * members and sits on its prototype, as after a new implementation. Objects
 * the first version built before registration would be left off the stable
 * prototype, hence the condition.
 */
import { builderOf } from "./derivedFrom.js";
import type { Constructor } from "./createClass.js";
import { isForwarder } from "./handleForwarder.js";
import { isHtmlElement } from "./htmlElements.js";
import type { HandleState } from "./handleState.js";
import { noteWrittenHome } from "./implementationInstances.js";
import { movesItsObjects } from "./movedPrototype.js";

/** Stable classes the handle made, with the first version each was made for. */
const made = new WeakMap<Function, Function>();

/** Whether `fn` is a class constructor with `extends` (V8 caches a derived map only for those). */
export function isDerivedClass(fn: Function): boolean {
  return Object.getPrototypeOf(fn) !== Function.prototype && isClassConstructor(fn);
}

/**
 * Whether `fn` is written as a class: what may build with the stable class
 * as new.target. Not the constructors metamorph compiles for derived
 * versions (migration/building/derivedConstructor.ts): ordinary functions
 * that drop the object allocated for them and have the running class build
 * one, so with another new.target V8 would re-key the stable class's cached
 * map twice per construction and give every object a map of its own.
 */
export function isClassConstructor(fn: Function): boolean {
  return /^class\b/.test(Function.prototype.toString.call(fn));
}

/**
 * A derived class of the handle's own for the root class `initial` (null
 * where none is needed or of use, see below): never called, only its kind
 * and its fresh prototype matter. That prototype sits on
 * `initial.prototype` (objects stay instances of the class handed in) and
 * gets a copy of each of its members (but `constructor`), as a new
 * implementation's are installed on the stable prototype. Named after
 * `initial`, which is what `new.target.name` reads.
 */
export function makeStableClass(initial: Constructor): Function | null {
  // Only where it is needed and of use: a class that extends something is
  // its own; one that would not build with it (newTargetFor) keeps the
  // stable prototype its own, as a class the program may build without the
  // handle does.
  if (isDerivedClass(initial) || !isClassConstructor(initial) || readsNewTarget(initial))
    return null;
  const stable = class extends initial {};
  Object.defineProperty(stable, "name", { value: initial.name, configurable: true });
  // Onto an empty object: nothing to replace, remove or refuse (prototypeMembers.ts transplantMethods).
  for (const key of Reflect.ownKeys(initial.prototype)) {
    if (key === "constructor") continue;
    Object.defineProperty(
      stable.prototype,
      key,
      Reflect.getOwnPropertyDescriptor(initial.prototype, key)!,
    );
  }
  noteWrittenHome(initial.prototype);
  made.set(stable, initial);
  return stable;
}

/** The first version a stable class was made for by makeStableClass, if it was. */
export function madeFor(stableClass: Function | null): Function | undefined {
  return stableClass === null ? undefined : made.get(stableClass);
}

/**
 * The stable class, when `running` may build with it as new.target: a class
 * the program wrote (see isClassConstructor) whose constructors do not read
 * `new.target` — they would see the stable class, which no version's code
 * names and whose statics are the first version's — and not an `Error`,
 * whose constructor keeps only the stack frames above new.target's, and the
 * stable class is never called: the stack would be empty; nor one that
 * sets its object's prototype to its own (movedPrototype.ts), which moved
 * every object off the stable prototype. Null otherwise: the object is then
 * built by `running` itself and moved.
 */
export function newTargetFor(stableClass: Function | null, running: Function): Function | null {
  if (stableClass === null || !isClassConstructor(running)) return null;
  if (Error.prototype.isPrototypeOf(stableClass.prototype)) return null;
  if (isHtmlElement(stableClass.prototype)) return null;
  if (movesItsObjects(running, stableClass.prototype)) return null;
  return readsNewTarget(running) ? null : stableClass;
}

const readingNewTarget = new WeakMap<Function, boolean>();

/**
 * Whether the constructor of `ctor` or of a class it extends (as linked now:
 * asked again whenever the links change) reads `new.target`. A handle's
 * forwarder on the way only passes it through; a version metamorph compiled
 * for a field patch reads it (and must not build with another one).
 */
function readsNewTarget(ctor: Function): boolean {
  for (let c: unknown = ctor; typeof c === "function" && c !== Function.prototype; ) {
    let reads = readingNewTarget.get(c);
    if (reads === undefined) {
      reads = !isForwarder(c) && /\bnew\s*\.\s*target\b/.test(Function.prototype.toString.call(c));
      readingNewTarget.set(c, reads);
    }
    if (reads) return true;
    c = Object.getPrototypeOf(c);
  }
  return false;
}

/**
 * The constructor the forwarder runs with the stable class as new.target
 * (HandleState.build), or null: see newTargetFor. A handle that
 * initialises its objects itself (createClass) has none.
 */
export function buildOf(state: HandleState): Function | null {
  if (state.construction === "initialise") return null;
  const builder = builderOf(state.current);
  return newTargetFor(state.stableClass, builder) === null ? null : builder;
}
