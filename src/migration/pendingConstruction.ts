/**
 * Objects a class handle builds while a lazy or progressive update is
 * pending: built by the new version, they are never pending themselves. The
 * construction observer marks them only once their constructor has
 * returned, and a constructor that calls one of its own methods
 * (`this.deposit(start)`, a setter) reached the update's guard before: the
 * half-built object, unmarked, was migrated as an old one — the migrators
 * ran over it (a balance in cents multiplied by 100 again), and one that
 * checks its fields (`owner`, not set yet) failed and rolled the whole
 * update back from inside a `new` (review advZ19).
 *
 * A version that initialises fields on an object the handle allocated
 * (createClass) is handed that object first: it is listed while its
 * initialiser runs (`isBeingInitialised`), exactly. A class's own
 * constructor allocates its object, and no code of ours runs between that
 * and its body: the handle only knows that a construction is under way,
 * from its start (`watchConstruction`). An unmarked object on the prototype it
 * builds onto, reached then, is taken for the one under construction
 * unless it was handed to the construction (`handedIn`): an argument, or a
 * value of a plain object or array given as one (`new Node(parent)`,
 * `new Account({ from })`, a copy constructor), which existed before and is
 * migrated as usual.
 *
 * Telling the object apart exactly would take a mark at its allocation,
 * which only the new.target decides: building onto a prototype of the
 * update's own and moving the object onto the class's afterwards cost a
 * prototype change per construction, and left every such object a hidden
 * class of its own while the update was pending (~10 µs a construction,
 * measured), so the handle builds as it always does. What remains unseen: a
 * pending object of the same class that the constructor reaches otherwise
 * (a static singleton, a module's registry), first touched there, runs the
 * new method unmigrated; and a construction the handle does not run — a
 * subclass the namespace does not manage (`super()` into the handle), a
 * custom element — is not known as one.
 */
import type { Undo } from "../mop/classHandle.js";
import { stateOf } from "../mop/classHandle.js";
import { type HandleState, withBuild, withInitialise } from "../mop/handleState.js";
import { isProxy } from "./proxies.js";

/** The objects handles are initialising now (createClass versions), innermost last. */
const initialising: object[] = [];

/**
 * The constructions under way through a handle a pending update watches,
 * outermost first: what each builds its object onto, and what it was given
 * (two lists: no object allocated per construction).
 */
const building: object[] = [];
const given: (readonly unknown[])[] = [];

/** Whether a handle is initialising `object` now (see module comment). */
export function isBeingInitialised(object: object): boolean {
  return initialising.length !== 0 && initialising.includes(object);
}

/**
 * Whether `object`, unmarked on `prototype`, may be an object under
 * construction (see module comment): a construction onto `prototype` is
 * under way, and `object` was not handed to it nor to one enclosing it.
 */
export function underConstruction(object: object, prototype: object): boolean {
  for (let i = 0; i < building.length; i++) {
    if (handedIn(object, given[i]!)) return false;
    // Those it encloses were handed what it made, or made since.
    if (building[i] === prototype) return true;
  }
  return false;
}

/** Values of a plain object or array handed in that are looked at (a long list is data, not a link). */
const LOOKED_AT = 32;

/**
 * Whether `object` is one of `args`, or a value of an array or a plain
 * object among them (own data properties only, read without running a
 * getter or a Proxy's trap).
 */
function handedIn(object: object, args: readonly unknown[]): boolean {
  for (const arg of args) {
    if (arg === object) return true;
    if (typeof arg !== "object" || arg === null || isProxy(arg)) continue;
    if (Array.isArray(arg)) {
      if (arg.length <= LOOKED_AT && arg.includes(object)) return true;
      continue;
    }
    const home = Object.getPrototypeOf(arg) as unknown;
    if (home !== Object.prototype && home !== null) continue;
    const keys = Object.keys(arg);
    if (keys.length > LOOKED_AT) continue;
    for (const key of keys) {
      if (Object.getOwnPropertyDescriptor(arg, key)?.value === object) return true;
    }
  }
  return false;
}

function begin(prototype: object, args: readonly unknown[]): void {
  building.push(prototype);
  given.push(args);
}

function end(): void {
  building.pop();
  given.pop();
}

const nothing: Undo = () => {};

/**
 * While the update is pending, `handle` tells when it constructs (see module
 * comment); returns the undo, which leaves a build or an initialiser the
 * handle was given since in place. The objects are built exactly as before.
 */
export function watchConstruction(handle: Function): Undo {
  const state = stateOf(handle);
  if (state.initialise !== null) return listInitialised(state);
  const { build, prototype } = state;
  // A new implementation with a prototype of its own builds onto that one,
  // where no guard is: only a handle building onto its stable prototype.
  if (build === null && state.construction !== "new") return nothing;
  const watching = build !== null ? watchingClass(build, prototype) : watchingNew(state, prototype);
  withBuild(state, watching);
  return () => {
    if (state.build === watching) withBuild(state, build);
  };
}

/**
 * What the handle builds with instead of `build` (with its stable class as
 * new.target): a class extending it whose constructor only passes through,
 * so that the object is allocated as before, from the stable class's cached
 * initial map. Measured while the update is pending: 25–55 ns more a
 * construction, a Proxy's construct trap (`watchingNew`) 50–110 ns.
 */
function watchingClass(build: Function, prototype: object): Function {
  const Build = build as new (...args: unknown[]) => object;
  return class extends Build {
    constructor(...args: unknown[]) {
      begin(prototype, args);
      try {
        super(...args);
      } finally {
        end();
      }
    }
  };
}

/**
 * The same where the handle builds with `new current(...)` (no stable
 * class, or a derived version that cannot build with it): the new.target
 * must stay the version, which a class's `super()` cannot pass on.
 */
function watchingNew(state: HandleState, prototype: object): Function {
  const current = state.current as Function;
  // A Proxy's construct trap allocates nothing of its own.
  return new Proxy(function watchedBuild() {}, {
    construct(_function, args) {
      begin(prototype, args);
      try {
        return Reflect.construct(current, args) as object;
      } finally {
        end();
      }
    },
  });
}

/** A createClass version's objects, listed while their fields are initialised. */
function listInitialised(state: HandleState): Undo {
  const initialise = state.initialise!;
  const listing = function (this: object, init: unknown) {
    initialising.push(this);
    try {
      return initialise.call(this, init);
    } finally {
      initialising.pop();
    }
  };
  withInitialise(state, listing);
  return () => {
    if (state.initialise === listing) withInitialise(state, initialise);
  };
}
