/**
 * A class is managed by one namespace. Two namespaces with a handle over one
 * prototype each updated it as if alone: one renamed a field the other's
 * migration then read (NaN, the old field back), and a rollback in one put
 * its old methods over the other's new fields (review advZ17). So a class
 * another namespace registered or defined — or runs as its class — is
 * refused as the class of a handle here.
 */
import { DuplicateBindingError } from "../errors.js";
import { handleOfPrototype, handleOwner, versionStates } from "../mop/classHandle.js";

/** The namespace a class's handle belongs to, as far as this rule reads it. */
interface Named {
  readonly name: string;
}

/** How the class was about to be taken: what the refusal names. */
export type Taking = "registerClass" | "addClass" | "replaceImplementation";

/**
 * The handle `cls` belongs to: the one whose stable prototype is its own
 * (a registered or defined class, or the handle itself), else, with
 * `versionsToo`, the one it is a version of (a new implementation an update
 * installed there).
 */
function handleOf(cls: Function, versionsToo: boolean): Function | undefined {
  const prototype = (cls as { readonly prototype?: unknown }).prototype;
  const own =
    typeof prototype === "object" && prototype !== null ? handleOfPrototype(prototype) : undefined;
  return own ?? (versionsToo ? versionStates.get(cls)?.handle : undefined);
}

/** The namespace other than `namespace` that manages `cls`, if any (a handle with no namespace: none). */
function managedIn(cls: Function, namespace: object, versionsToo: boolean): Named | undefined {
  const handle = handleOf(cls, versionsToo);
  if (handle === undefined) return undefined;
  const owner = handleOwner(handle) as Partial<Named> | undefined;
  if (owner === undefined || owner === namespace || typeof owner.name !== "string")
    return undefined;
  return owner as Named;
}

/**
 * Refuses `cls` where another namespace manages it. Registration also
 * refuses a version an update installed there (registered here, its
 * prototype would become this namespace's to write); a new implementation
 * may be a class another namespace once took as its own new version (a test
 * kit runs one patch over many worlds), whose members are copied, not shared.
 */
export function refuseManagedElsewhere(
  cls: Function,
  namespace: Named,
  taking: Taking,
  className: string = cls.name,
): void {
  const other = managedIn(cls, namespace, taking === "registerClass");
  if (other === undefined) return;
  const as =
    taking === "registerClass"
      ? `registering it in namespace ${namespace.name} too`
      : taking === "addClass"
        ? `adding it to namespace ${namespace.name} as class ${className}`
        : `making it the new implementation of ${className} in namespace ${namespace.name}`;
  // Two namespaces may share a name (one per test, say): then "namespace x" twice said nothing.
  const there =
    other.name === namespace.name
      ? `another namespace also named ${other.name}`
      : `namespace ${other.name}`;
  throw new DuplicateBindingError(
    `class ${cls.name} is managed by ${there}, and a class is managed by one namespace: ${as} would give its objects two handles whose updates undo each other's (a field renamed by one, read by the other's migration). Use the handle ${there} gave and update the class there; for a class of namespace ${namespace.name}, write a class of its own`,
    { name: cls.name, namespace: namespace.name, managedIn: other.name },
  );
}
