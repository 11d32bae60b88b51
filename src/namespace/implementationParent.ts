/**
 * A new implementation must extend what its definition says by identity:
 * the superclass's handle of the namespace (or its current version, or its
 * new version in the same shadow: a package release's subclass extends the
 * release's own base class), or the very class outside the namespace the
 * class extends now (a class of the same name from elsewhere is not it).
 */
import { UnmanagedClassError } from "../errors.js";
import type { ClassDefinition } from "../mop/classDefinition.js";
import { currentVersion, externalSuperclassOf } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import { derivedFrom } from "../mop/derivedFrom.js";
import { ExternalSuperclassError } from "./errors.js";

export function requireParent(
  namespaceName: string,
  handle: Constructor,
  definition: ClassDefinition,
  superclass: Constructor | null,
  implementation: Constructor,
  /** The superclass's new version in the shadow, if it has one. */
  newVersionOf: (superclass: Constructor) => Function | undefined,
): void {
  const parent = Object.getPrototypeOf(implementation) as Function;
  const where = { namespace: namespaceName, className: definition.name };
  if (superclass !== null) {
    if (
      parent === superclass ||
      parent === currentVersion(superclass).ctor ||
      // The class the program wrote that it runs as (a subclass stays linked there, mop/writtenStatics.ts extendedClass).
      parent === derivedFrom(currentVersion(superclass).ctor) ||
      parent === newVersionOf(superclass)
    )
      return;
    throw new UnmanagedClassError(
      `the new implementation of ${definition.name} extends ${parent.name}, which is not the class ${superclass.name} of namespace ${namespaceName}; extend the handle the namespace gave for it`,
      { ...where, superclass: parent.name },
    );
  }
  if (definition.externalSuperclass === undefined) return;
  const external = externalSuperclassOf(handle);
  if (parent === external) return;
  const named = definition.externalSuperclass;
  // An ES5-style constructor cannot be registered (its fields cannot be read
  // from a class body): that advice was refused in turn (review advY1).
  const registrable = /^\s*class\b/.test(Function.prototype.toString.call(parent));
  const advice = registrable
    ? `or, if ${named} is a class of the same package (its next release beside this one), register ${named} in this namespace and replace both in the same patch`
    : `or restart: this ${named} is an ES5-style constructor function, which cannot be registered and replaced with it`;
  throw new ExternalSuperclassError(
    `the new implementation of ${definition.name} extends a class named ${named} that is not the ${named} its instances were made by: an existing object cannot change the class outside the namespace that gave it its internal state; extend the same class, ${advice}`,
    { ...where, from: external?.name ?? null, to: definition.externalSuperclass },
  );
}
