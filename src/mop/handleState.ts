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
  /** The current version's field initialiser when `construction` is "initialise" (read once per version, not per construction). */
  initialise: Function | null;
  definition: ClassDefinition;
  /** Every version this handle has had, oldest first. */
  readonly versions: ClassVersion[];
  /** Objects whose [[Prototype]] must follow the superclass: homes of installed methods (their `super`). */
  readonly homes: Set<object>;
  staticKeys: PropertyKey[];
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
  return Object.setPrototypeOf(state, { observe }) as T;
}
