/**
 * What a class handle knows (its state, one per handle) and what a version
 * is; the behaviour is in classHandle.ts and classVersions.ts.
 */
import type { ClassDefinition } from "./classDefinition.js";
import type { Constructor } from "./createClass.js";

export interface ClassVersion {
  readonly ctor: Constructor;
  readonly definition: ClassDefinition;
}

/** Each class handle's state (classHandle.ts makes them; staticForwarders.ts finds a receiver's). */
export const handleStates = new WeakMap<Function, HandleState>();

export interface HandleState {
  readonly handle: Constructor;
  /** The stable prototype: `handle.prototype`, for the handle's whole life. */
  readonly prototype: object;
  current: Constructor;
  /**
   * How the handle builds an object: "initialise" — the handle allocates it
   * and the current version's field initialiser fills it (versions made by
   * createClass); "new" — `new current()` (an ordinary class whose prototype
   * is the stable one); "reflect" — Reflect.construct onto the stable
   * prototype (an ordinary class given as a new implementation);
   * "construct" — Reflect.construct with the handle as new.target, for such
   * an implementation whose constructor freezes its objects (found at the
   * first construction: a frozen object cannot change its prototype).
   */
  construction: "initialise" | "new" | "reflect" | "construct";
  /**
   * A class constructor with `extends` whose `prototype` is the stable
   * prototype (stableClass.ts), or null: the first version when it extends
   * something, or a class the handle made for it. It is the new.target with
   * which the running version builds every fresh object, straight onto the
   * stable prototype. Set once (the forwarder's code treats it as constant).
   */
  readonly stableClass: Function | null;
  /**
   * The new.target the forwarder passes to `build`: the stable class, or
   * the handle where there is none — where only a build given from outside
   * runs (a pending lazy update's, migration/pendingConstruction.ts), which
   * ignores it. Set once, like `stableClass` (a fallback computed in the
   * forwarder cost ~1.4 ns a construction, measured).
   */
  readonly buildTarget: Function;
  /**
   * The current version's field initialiser when `construction` is
   * "initialise" (read once per version, not per construction). Set only
   * through withInitialise, for the reason withObserver gives: an own field
   * that an update reassigned stopped being a constant of the construction
   * sites, the initialiser was no longer inlined there, and every `new` of
   * a class after its first update cost 4–12× a plain one (review advY3).
   */
  readonly initialise: Function | null;
  definition: ClassDefinition;
  /** Every version this handle has had, oldest first. */
  readonly versions: ClassVersion[];
  /** Objects whose [[Prototype]] must follow the superclass: homes of installed methods (their `super`). */
  readonly homes: Set<object>;
  /**
   * The statics the handle forwards, in the current version's order, each
   * with the descriptor metamorph gave the handle for it: an own property
   * of the handle that is no longer that descriptor is the program's
   * (staticForwarders.ts).
   */
  statics: Map<PropertyKey, PropertyDescriptor>;
  /** Called with every object constructed through the handle itself (not through subclasses). */
  observers: readonly ((instance: object) => void)[];
  /**
   * The observers as one function, null when there are none: what the
   * forwarder calls. A loop over `observers` inside the forwarder, even one
   * that never runs, made V8 (Node 20, measured) compile every construction
   * site that inlines the handle ~8x slower for objects that are kept.
   * Set only through withObserver (see there why it is not an own field).
   */
  readonly observe: ((instance: object) => void) | null;
  /**
   * The constructor the forwarder runs with `stableClass` as new.target: the
   * current version, or null where the handle builds otherwise (no stable
   * class, or a version made by createClass, which the handle initialises).
   * Set only through withBuild, for the reason withObserver gives: as a
   * constant of the construction sites, V8 inlines the version's constructor
   * there and allocates from the stable class's cached initial map (Node 20,
   * measured: as fast as a plain `new`, where reading it from an own field
   * that changes at each reload cost ~24 ns a construction).
   */
  readonly build: Function | null;
  readonly owner: unknown;
  /** `obj.constructor` is the running implementation rather than the handle (CreateClassHandleOptions). */
  readonly implementationConstructor: boolean;
  /**
   * The handles whose superclass this handle is (their running classes
   * follow this one's, see followSuperclass), held weakly: a subclass added
   * by an update that was rolled back, or that the program dropped, must not
   * stay reachable from its superclass.
   */
  readonly children: Set<WeakRef<HandleState>>;
  /** The one weak reference to this state that superclasses' `children` hold. */
  readonly self: WeakRef<HandleState>;
}

/**
 * Gives `state` the observer the forwarder calls, as the one field of a new
 * [[Prototype]] of the state rather than an own field. V8 then treats it as a
 * constant in the code of every construction site that inlines the handle,
 * and that code is thrown away (its dependency on the state's map breaks)
 * the moment the observer changes. With an own field, a site compiled while
 * an observer ran kept the call after the observer was removed (the adaptive
 * finder's switch to the heap query): every object then escaped into the
 * dead branch and was allocated — 30M temporaries under `metamorph dev`
 * took 170 ms instead of 121 ms (Node 20, measured).
 */
export function withObserver<T extends object>(
  state: T,
  observe: ((instance: object) => void) | null,
): T {
  return withHot(state, { observe });
}

/** Gives `state` the constructor the forwarder builds with (HandleState.build), as withObserver does the observer. */
export function withBuild<T extends object>(state: T, build: Function | null): T {
  return withHot(state, { build });
}

/** Gives `state` the initialiser the forwarder runs (HandleState.initialise), as withObserver does the observer. */
export function withInitialise<T extends object>(state: T, initialise: Function | null): T {
  return withHot(state, { initialise });
}

interface Hot {
  readonly observe: ((instance: object) => void) | null;
  readonly build: Function | null;
  readonly initialise: Function | null;
}

/** A new [[Prototype]] for `state` holding `change` and the other hot fields as they were. */
function withHot<T extends object>(state: T, change: Partial<Hot>): T {
  const before = Object.getPrototypeOf(state) as Partial<Hot>;
  const hot: Hot = {
    observe: before.observe ?? null,
    build: before.build ?? null,
    initialise: before.initialise ?? null,
    ...change,
  };
  return Object.setPrototypeOf(state, hot) as T;
}
