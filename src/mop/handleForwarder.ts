/**
 * The code of a class handle: the forwarding constructor every `new` of a
 * managed class runs (see classHandle.ts for what a handle is).
 */
import type { HandleState } from "./handleState.js";

let forwarders = 0;

/**
 * The handle's constructor, the hot path of every managed class: no rest
 * array, no iterator, the initialiser read from the state rather than looked
 * up on the version. Compiled per handle (the numbered comment makes each
 * source text unique), so that each class gets type feedback of its own: one
 * shared closure would see every managed class's objects and turn megamorphic.
 */
export function makeForwarder(state: HandleState, name: string): Function {
  const factory = new Function(
    "state",
    "name",
    "setPrototypeOf",
    "getPrototypeOf",
    `"use strict"; // metamorph class handle ${++forwarders}
    const forward = {
      [name]: function (init) {
        const target = new.target;
        if (target === undefined) {
          throw new TypeError("Class constructor " + name + " cannot be invoked without 'new'");
        }
        let instance;
        if (state.initialise !== null) {
          // The handle is the only allocator: every object of the class, fresh
          // or migrated, grows its fields from the handle's own initial map, so
          // objects with the same fields share one hidden class (V8, measured).
          state.initialise.call(this, init);
          instance = this;
        } else if (target === forward) {
          instance = new state.current(...arguments);
          // "reflect": a new implementation with a prototype of its own
          // builds the object natively (its own cached initial map), then the
          // object moves onto the stable prototype (a cached prototype
          // transition: one shared map). Building it with the handle as
          // new.target instead makes V8 copy a fresh map for every object
          // (the handle is not a derived class constructor, so V8 does not
          // cache the derived map): measured ~5 µs per object, every object
          // a hidden class of its own.
          // Only the object the implementation built: one its constructor
          // returned instead (a cached instance, a proxy) stays as it is.
          if (
            state.construction === "reflect" &&
            getPrototypeOf(instance) === state.current.prototype
          )
            setPrototypeOf(instance, state.prototype);
        } else {
          // Through super() from a subclass: correct, but V8 gives objects
          // built this way maps of their own (see above).
          instance = Reflect.construct(state.current, arguments, target);
        }
        const observe = state.observe;
        if (observe !== null && target === forward) observe(instance);
        return instance;
      },
    }[name];
    return forward;`,
  ) as (
    state: HandleState,
    name: string,
    setPrototypeOf: typeof Object.setPrototypeOf,
    getPrototypeOf: typeof Object.getPrototypeOf,
  ) => Function;
  return factory(state, name, Object.setPrototypeOf, Object.getPrototypeOf);
}
