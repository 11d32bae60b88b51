/**
 * The refusal of a new version of a class with private `#` state, with
 * advice the user can follow: the export/import hooks for the program's own
 * classes; for a class whose source is not the program's (a package's, or
 * native), which cannot be given hooks, a restart or a class of the user's
 * own around it.
 */
import { PrivateStateError } from "../errors.js";
import { classOrigin } from "../mop/classOrigin.js";
import { METHOD_HOME } from "../mop/createClass.js";

/** The first of `classes` whose source is not the program's, with where it comes from. */
function thirdParty(classes: readonly (Function | undefined)[]): string | undefined {
  for (const cls of classes) {
    // A constructor metamorph made carries no source of the user's either way.
    if (cls === undefined || Object.hasOwn(cls, METHOD_HOME)) continue;
    const origin = classOrigin(cls);
    if (origin.kind === "native") return `${cls.name} is built into the platform`;
    if (origin.kind === "package") return `${cls.name} comes from ${origin.url}`;
  }
  return undefined;
}

/** What to do about `name`'s private state, given the running class and the new one. */
export function privateStateAdvice(
  name: string,
  classes: readonly (Function | undefined)[],
): string | undefined {
  const where = thirdParty(classes);
  if (where === undefined) return undefined;
  return `${where}, not from the program, so its code cannot be given export hooks: restart the program to load the new version, or manage a class of your own instead — a wrapper that holds the ${name} object in a field (migrations carry the object over as it is), or a subclass you own whose new versions keep ${name} as their superclass`;
}

export function privateStateRefusal(
  name: string,
  classes: readonly (Function | undefined)[],
): PrivateStateError {
  const advice =
    privateStateAdvice(name, classes) ??
    "add `static metamorphExport(instance)` to the running version and apply a new version that extends Adoptable with `static metamorphImport(instance, state)` through the lifecycle (runUpdate, applyUpdate or a manager; see the README's lifecycle section)";
  return new PrivateStateError(
    `class ${name} declares private # members, which reflection cannot copy to a new version: ${advice}`,
    { className: name },
  );
}
