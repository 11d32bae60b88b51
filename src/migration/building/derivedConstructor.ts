/**
 * The constructor of a derived version (derivedImplementation.ts), compiled
 * once per version: the running version builds the object, then the fresh
 * object gets the version's field change (freshReshape.ts).
 *
 * Compiled rather than one closure for every derived version so that each
 * class gets type feedback of its own and V8 inlines the running
 * constructor and the field change into construction sites (as the class
 * handle's forwarder is, mop/handleForwarder.ts). Through the handle the
 * running version builds the object natively — with the derived
 * constructor, an ordinary function, as new.target, V8 copied a fresh
 * hidden class for every object — straight onto the stable prototype with
 * the handle's stable class as new.target where it has one, else moved onto
 * it if it is not there yet, as the handle does for a new implementation.
 */
import type { Constructor } from "../../mop/createClass.js";
import type { Reshape } from "./freshReshape.js";

let compiled = 0;

export function compileDerivedConstructor(
  running: Constructor,
  prototype: object,
  reshape: Reshape | null,
  name: string,
  /** The handle's stable class when `running` may build with it (mop/stableClass.ts newTargetFor), or null. */
  newTarget: Function | null,
): Function {
  return new Function(
    "$running",
    "$stable",
    "$newTarget",
    "$reshape",
    "$name",
    "$setPrototypeOf",
    "$getPrototypeOf",
    "$construct",
    "$TypeError",
    `"use strict"; // metamorph derived version ${++compiled}
    const $ctor = function (...args) {
      const target = new.target;
      if (target === undefined)
        throw new $TypeError("Class constructor " + $name + " cannot be invoked without 'new'");
      let self;
      if (target === $ctor && $newTarget !== null) {
        self = $construct($running, args, $newTarget);
      } else if (target === $ctor) {
        self = new $running(...args);
        const own = $running.prototype;
        if (own !== $stable && $getPrototypeOf(self) === own) $setPrototypeOf(self, $stable);
      } else {
        self = $construct($running, args, target);
      }
      ${reshape === null ? "" : "$reshape(self);"}
      return self;
    };
    return $ctor;`,
  )(
    running,
    prototype,
    newTarget,
    reshape,
    name,
    Object.setPrototypeOf,
    Object.getPrototypeOf,
    Reflect.construct,
    TypeError,
  ) as Function;
}
