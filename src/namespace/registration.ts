/**
 * What `registerClass` refuses before reading the class: a function that is
 * not a class at all, a class another namespace manages (managedElsewhere.ts),
 * and a class another handle already has — its prototype is that handle's
 * stable one. Where an update there has given it another version, the class
 * registered again would pass for the running version of itself, with
 * another version's methods: refused.
 */
import {
  currentVersion,
  handleOfPrototype,
  handleOwner,
  isClassHandle,
  isNativeClass,
} from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import { isPlatformClass } from "../mop/platformClasses.js";
import { DuplicateBindingError, InvalidClassDefinitionError } from "../errors.js";
import { refuseManagedElsewhere } from "./managedElsewhere.js";
import { unmanagedSuperclass } from "./superclassRefusal.js";

/**
 * A bound or arrow function has no prototype (i18next binds `constructor`
 * onto its instances, so `instance.constructor` is one): without this
 * check it was refused as a class "an update gave another version".
 */
export function refuseNotAClass(cls: unknown, namespace: string): void {
  let what: string;
  try {
    if (typeof cls === "function" && Object.hasOwn(cls, "prototype")) return;
    what =
      typeof cls !== "function"
        ? `${cls === null ? "null" : typeof cls}, not a class`
        : `a function without a prototype (${kindOf(cls)}: ${Function.prototype.toString.call(cls).slice(0, 60)}), not a class`;
  } catch {
    what = "something that cannot be inspected (a revoked Proxy?), not a class";
  }
  throw new InvalidClassDefinitionError(
    `namespace ${namespace}: registerClass was given ${what}; register the class itself`,
    { namespace },
  );
}

/** Reached for a handle of this namespace (removed by a patch since) or of no namespace (the mop's own). */
function refuseUpdatedElsewhere(cls: Function, namespace: string): void {
  const owner = typeof cls === "function" ? handleOfPrototype(cls.prototype as object) : undefined;
  if (owner === undefined || currentVersion(owner).ctor === cls) return;
  const by = handleOwner(owner) as { readonly name?: unknown } | undefined;
  const where = typeof by?.name === "string" ? `namespace ${by.name}` : "another namespace";
  throw new DuplicateBindingError(
    `class ${cls.name} is managed by ${where}, where an update gave it another version (it runs version ${currentVersion(owner).definition.version} now); use the handle that namespace gave, or roll that update back first`,
    { name: cls.name, namespace },
  );
}

/** A mixin's anonymous class: the option that names it. */
export function refuseNameless(name: string, namespace: string): void {
  if (name !== "") return;
  throw new InvalidClassDefinitionError(
    `namespace ${namespace}: the class has no name (an anonymous class, from a mixin say); give it one: registerClass(cls, { name: "Pack" })`,
    { namespace, className: "" },
  );
}

function kindOf(fn: Function): string {
  if (fn.name.startsWith("bound ")) return "a bound function";
  return /^async\b/.test(Function.prototype.toString.call(fn))
    ? "an async function"
    : "an arrow function or a method";
}

/**
 * A class this namespace manages already, registered again (zod exports one
 * class as `ZodType`, `ZodSchema` and `Schema`): a second handle over the
 * same prototype, which an update of one name left building objects of the
 * running version through the other — old fields with the new methods.
 */
function refuseRegisteredTwice(cls: Function, namespace: ManagingNamespace): void {
  const owner = typeof cls === "function" ? handleOfPrototype(cls.prototype as object) : undefined;
  if (owner === undefined || handleOwner(owner) !== namespace) return;
  // A patch may have removed its class since: it may be registered again.
  if (!namespace.classes().includes(owner)) return;
  const name = namespace.name;
  throw new DuplicateBindingError(
    `class ${cls.name} is already registered in namespace ${name} as "${owner.name}"; a second registration would make a second handle over the same objects, and an update of one name would leave the other building objects of the old version — use the handle the first registerClass returned under every name the program gives the class`,
    { name: cls.name, namespace: name },
  );
}

/** What registration asks of the namespace registering a class. */
interface ManagingNamespace {
  readonly name: string;
  classes(): readonly Function[];
}

/** A class another namespace manages, or this one manages already: refused (see each). */
export function refuseAlreadyManaged(cls: Function, namespace: ManagingNamespace): void {
  refuseManagedElsewhere(cls, namespace, "registerClass");
  refuseUpdatedElsewhere(cls, namespace.name);
  refuseRegisteredTwice(cls, namespace);
}

/** A namespace's class binding, as a class is looked for among its bindings. */
interface ClassBinding {
  readonly kind: "class";
  readonly name: string;
  readonly handle: Constructor;
}

/**
 * The class binding whose handle, or whose running class, `cls` is: the
 * managed superclass of a class being registered, or a superclass that
 * `defineClass` was given as a class.
 */
export function classBindingOf(
  bindings: Readonly<Record<string, { readonly kind: string }>>,
  cls: Function,
): ClassBinding | undefined {
  for (const binding of Object.values(bindings)) {
    if (binding.kind !== "class") continue;
    const { handle } = binding as ClassBinding;
    if (handle === cls || currentVersion(handle).ctor === cls) return binding as ClassBinding;
  }
  return undefined;
}

/**
 * `parent` as an external superclass: native, or declared external by the
 * caller, and with no managed class above it (a class between two managed
 * ones could not follow their updates).
 */
export function externalSuperclass(
  parent: Function,
  className: string,
  namespace: string,
  declared: boolean,
): Function {
  for (let p: unknown = parent; typeof p === "function"; p = Object.getPrototypeOf(p)) {
    const handle = isClassHandle(p) ? p : handleOfPrototype((p as Function).prototype);
    if (handle !== undefined) {
      const owner = (handleOwner(handle) as { name?: unknown } | undefined)?.name;
      const other = typeof owner === "string" && owner !== namespace ? owner : undefined;
      throw unmanagedSuperclass(parent, className, namespace, p as Function, other, declared);
    }
  }
  // Node's EventEmitter, streams, EventTarget: the platform's, like Map or Error.
  if (declared || isNativeClass(parent) || isPlatformClass(parent)) return parent;
  throw unmanagedSuperclass(parent, className, namespace, null);
}
