/** The refusal of a class whose superclass the namespace does not manage, saying what to do. */
import { UnmanagedClassError } from "../errors.js";

/**
 * `managedAbove`: the managed class the superclass extends (itself when it
 * is a class this namespace gave a handle for), or null when nothing above
 * it is managed (then it may be kept external).
 */
export function unmanagedSuperclass(
  parent: Function,
  className: string,
  namespaceName: string,
  managedAbove: Function | null,
  /** The namespace managing `managedAbove`, where it is another one. */
  managedIn?: string,
  declaredExternal = false,
): UnmanagedClassError {
  // `class extends mixin() {}`: a superclass with no name is named for what it is.
  const named = parent.name || "an anonymous class";
  const it = parent.name || "it";
  const where = {
    className,
    superclass: parent.name || "(anonymous class)",
    namespace: namespaceName,
  };
  if (managedAbove !== null && managedIn !== undefined) {
    // Not external: an update of it there would leave this subclass's objects on its old fields (review advZ10).
    const declared = declaredExternal
      ? "; { externalSuperclass: true } keeps only a class no namespace manages"
      : "";
    return new UnmanagedClassError(
      `class ${className} extends ${named}, which namespace ${managedIn} manages, not namespace ${namespaceName}: an update of ${managedAbove.name} there migrates only the subclasses it knows. Register ${className} in namespace ${managedIn}${declared}`,
      { ...where, managedIn },
    );
  }
  if (managedAbove !== null) {
    const above =
      managedAbove === parent ? "" : ` but which extends the managed class ${managedAbove.name}`;
    return new UnmanagedClassError(
      `class ${className} extends ${named}, which namespace ${namespaceName} does not manage${above}; register ${it} first (or extend the handle this namespace gave for it)`,
      where,
    );
  }
  return new UnmanagedClassError(
    `class ${className} extends ${named}, which namespace ${namespaceName} does not manage; register ${it} first, or, if ${it} is not yours to update (a package's class), register ${className} with { externalSuperclass: true } to keep ${it} as it is`,
    where,
  );
}
