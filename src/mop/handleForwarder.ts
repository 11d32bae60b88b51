/**
 * The code of a class handle: the forwarding constructor every `new` of a
 * managed class runs (see classHandle.ts for what a handle is).
 */
import { isValidClassName } from "./createClass.js";
import { metTargets, noteTarget } from "./foreignTargets.js";
import type { HandleState } from "./handleState.js";

let forwarders = 0;
/** Every forwarder made: a handle's code, whose own `new.target` only passes through (stableClass.ts). */
const made = new WeakSet<Function>();

/** Whether `fn` is a class handle's forwarder. */
export function isForwarder(fn: Function): boolean {
  return made.has(fn);
}

/**
 * The handle's constructor, the hot path of every managed class: no rest
 * array, no iterator, the initialiser read from the state rather than looked
 * up on the version. Compiled per handle (the numbered comment makes each
 * source text unique), so that each class gets type feedback of its own: one
 * shared closure would see every managed class's objects and turn megamorphic.
 */
export function makeForwarder(
  state: HandleState,
  name: string,
  /** Whether a constructor is a handle or a version of one (classHandle.ts). */
  isManaged: (ctor: Function) => boolean,
  /** How many fields the objects it allocates get (its class's and its superclasses'). */
  fields = 0,
): Function {
  const forwarder = compileForwarder(
    state,
    name,
    ++forwarders,
    namedFunction(name),
    isManaged,
    roomFor(fields),
  );
  made.add(forwarder);
  return forwarder;
}

/**
 * The head of the forwarder's function expression. Named after the class when
 * the name is an identifier: V8 names an object's type in stack traces
 * (`at Account.deposit`) after its map's constructor's *source* name, which
 * for objects the handle allocates is the forwarder — and a computed key
 * names nothing there, so every managed class's frames read `forward.…`.
 * Inside the body the class's name then refers to the forwarder itself, so
 * every binding the body reads from outside carries a prefix no class name
 * is given (checked), and the body reads no global.
 */
function namedFunction(name: string): string {
  // A name no function may have (a reserved word) or our own prefix: V8 then
  // names the objects' type after the local binding.
  if (!isValidClassName(name) || name.startsWith("$mm$")) return "{ [$mm$name]: function";
  return `{ [$mm$name]: function ${name}`;
}

/**
 * Statements that never run and make V8 give the objects the forwarder
 * allocates room for `fields` in-object fields. V8 sizes a constructor's
 * objects by the `this.x =` assignments of its own source, and the
 * forwarder's fields are assigned by the initialiser it calls: its objects
 * had room for about ten, every further field went to an out-of-object
 * array regrown as the object filled, and a class of 50 fields constructed
 * 5–14× slower than written by hand (review advZ3). Only past the room V8
 * gives anyway: the statements add to the bytecode V8 weighs for inlining.
 */
function roomFor(fields: number): string {
  if (fields <= 8) return "";
  const n = Math.min(fields, 200);
  return `if ($mm$state === null) { ${Array.from({ length: n }, (_, i) => `this.$mm$${i} = 0;`).join(" ")} }`;
}

// size: the generated constructor's source text, kept whole so that it reads as the code V8 runs.
function compileForwarder(
  state: HandleState,
  name: string,
  number: number,
  head: string,
  isManaged: (ctor: Function) => boolean,
  room: string,
): Function {
  const factory = new Function(
    "$mm$state",
    "$mm$isManaged",
    "$mm$name",
    "$mm$setPrototypeOf",
    "$mm$getPrototypeOf",
    "$mm$construct",
    "$mm$TypeError",
    "$mm$met",
    "$mm$note",
    `"use strict"; // metamorph class handle ${number}
    const $mm$forward = ${head} (init) {
        ${room}
        const target = new.target;
        if (target === undefined) {
          throw new $mm$TypeError("Class constructor " + $mm$name + " cannot be invoked without 'new'");
        }
        let instance;
        if ($mm$state.initialise !== null) {
          // The handle is the only allocator: every object of the class, fresh
          // or migrated, grows its fields from the handle's own initial map, so
          // objects with the same fields share one hidden class (V8, measured).
          $mm$state.initialise.call(this, init);
          instance = this;
        } else if (target === $mm$forward && $mm$state.build !== null) {
          // The running version builds straight onto the stable prototype,
          // from the stable class's cached initial map (mop/stableClass.ts).
          instance = $mm$construct($mm$state.build, arguments, $mm$state.buildTarget);
        } else if (target === $mm$forward && $mm$state.construction !== "construct") {
          instance = new $mm$state.current(...arguments);
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
          // An object its constructor froze (sealed, made non-extensible)
          // cannot move: it stays on the implementation's prototype (its
          // methods are the running ones), and the handle builds every later
          // object onto the stable prototype directly ("construct").
          if (
            $mm$state.construction === "reflect" &&
            $mm$getPrototypeOf(instance) === $mm$state.current.prototype &&
            !$mm$setPrototypeOf(instance, $mm$state.prototype)
          )
            $mm$state.construction = "construct";
        } else {
          // Through super() from a subclass: correct, but V8 gives objects
          // built this way maps of their own (see above).
          instance = $mm$construct($mm$state.current, arguments, target);
        }
        // A subclass the program made of the handle, met once: a lazy update
        // with the heap finder looks for its objects before its commit
        // (foreignTargets.ts). The handle's own constructions compare only.
        if (target !== $mm$forward && !$mm$met.has(target)) $mm$note(target);
        // Observed too through super() from a subclass the program did not
        // register (\`class Special extends Handle\`): its objects are
        // instances of this class, which finders and updates must know of. A
        // managed subclass's handle observes its own.
        const observe = $mm$state.observe;
        if (observe !== null && (target === $mm$forward || !$mm$isManaged(target))) observe(instance);
        return instance;
      },
    }[$mm$name];
    return $mm$forward;`,
  ) as (
    state: HandleState,
    isManaged: (ctor: Function) => boolean,
    name: string,
    setPrototypeOf: typeof Reflect.setPrototypeOf,
    getPrototypeOf: typeof Object.getPrototypeOf,
    construct: typeof Reflect.construct,
    typeError: typeof TypeError,
    met: WeakSet<Function>,
    note: (target: Function) => void,
  ) => Function;
  return factory(
    state,
    isManaged,
    name,
    Reflect.setPrototypeOf,
    Object.getPrototypeOf,
    Reflect.construct,
    TypeError,
    metTargets,
    (target: Function) => noteTarget(target, isManaged),
  );
}
