/**
 * Registering a class another handle already has: its prototype is that
 * handle's stable one. Where an update there has given it another version,
 * the class registered again would pass for the running version of itself,
 * with another version's methods: refused.
 */
import { currentVersion, handleOfPrototype, handleOwner } from "../mop/classHandle.js";
import { DuplicateBindingError } from "../errors.js";

export function refuseUpdatedElsewhere(cls: Function, namespace: string): void {
  const owner = typeof cls === "function" ? handleOfPrototype(cls.prototype as object) : undefined;
  if (owner === undefined || currentVersion(owner).ctor === cls) return;
  const by = handleOwner(owner) as { readonly name?: unknown } | undefined;
  const where = typeof by?.name === "string" ? `namespace ${by.name}` : "another namespace";
  throw new DuplicateBindingError(
    `class ${cls.name} is managed by ${where}, where an update gave it another version (${currentVersion(owner).ctor.name}); use the handle that namespace gave, or roll that update back first`,
    { name: cls.name, namespace },
  );
}
