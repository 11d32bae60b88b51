/**
 * Refuses, before anything changes, a new implementation written as an
 * ordinary class for a class that a class metamorph builds (`defineClass`,
 * `addClass`) extends. Such a subclass initialises its objects by calling
 * its superclass's field initialiser on them, which an ordinary class does
 * not have — its constructor makes its own objects: the update committed and
 * every later `new` of the subclass threw a TypeError (reading 'call').
 */
import { InvalidPatchError } from "../errors.js";
import { createdDefinition } from "../mop/createClass.js";
import type { BuildResult } from "./build.js";

export function refuseStrandedCreatedSubclasses(patchName: string, build: BuildResult): void {
  for (const [name, cls] of build.classes) {
    const implementation = cls.implementation;
    if (implementation === undefined || cls.implementationDerived === true) continue;
    if (createdDefinition(implementation) !== undefined) continue;
    for (const [sub, below] of build.classes) {
      if (below.definition.superclass !== name || below.implementation !== undefined) continue;
      if (below.definition.fieldOrigin !== "created") continue;
      throw new InvalidPatchError(
        `patch ${patchName}: class ${sub}, which metamorph builds, extends ${name}, whose new implementation is an ordinary class: ${sub}'s objects are initialised by their superclass's field initialiser, which an ordinary class's constructor does not offer. Give ${sub} a new implementation in the same patch (an ordinary class extending ${name}), or change ${name} with field and method operations instead; the update was refused before anything changed`,
        { patch: patchName, className: sub, superclass: name },
      );
    }
  }
}
