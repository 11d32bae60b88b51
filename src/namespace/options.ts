/** What a namespace, and the classes it is handed or defines, can be told. */
import {
  InvalidArgumentError,
  InvalidClassDefinitionError,
  InvalidOptionError,
  UnknownBindingError,
} from "../errors.js";
import type { ClassDefinition, ClassSpec } from "../mop/classDefinition.js";
import { definitionFromSpec, unknownFieldKey } from "../mop/classDefinition.js";
import { kindOf } from "../valueKinds.js";
import type { Constructor, CreateClassOptions } from "../mop/createClass.js";
import { isValidClassName } from "../mop/createClass.js";
import { defaultInstanceFinderKind } from "../mop/instances/defaultFinder.js";
import type { InstanceFinderChoice } from "../mop/instances/finder.js";
import { isInstanceFinderChoice } from "../mop/instances/finder.js";
import {
  type ReadClassDefinitionOptions,
  readClassDefinition,
} from "../mop/readClassDefinition.js";
import { type KeyGuesses, unknownKey } from "../unknownKeys.js";

export interface NamespaceOptions {
  /**
   * How `allInstances` finds objects: "registry" (a WeakRef recorded per
   * construction through a class handle), "heap" (a `node:inspector` heap
   * query: Node only, nothing paid at construction) or "adaptive" (default:
   * the registry until one job makes 65,536 managed objects, or a class is
   * registered that code can construct without its handle, then the heap).
   */
  readonly instanceFinder?: InstanceFinderChoice;
  /**
   * The adaptive finder's threshold: managed objects made in one job after
   * which the heap query answers the next query (default 65,536; a positive
   * integer). Lower suits programs whose updates may pay a heap query (tens of
   * milliseconds in a small heap) but whose loops of temporaries must not pay
   * the registry: `metamorph dev` uses 1,024. Only with the adaptive finder.
   */
  readonly switchToHeapAfter?: number;
}

/** Every key of NamespaceOptions: a Record, so that an option added there must be added here. */
const KNOWN_RECORD: Readonly<Record<keyof NamespaceOptions, true>> = {
  instanceFinder: true,
  switchToHeapAfter: true,
};
const KNOWN = Object.keys(KNOWN_RECORD);
const GUESSES: KeyGuesses = new Map([
  ["finder", "instanceFinder"],
  ["threshold", "switchToHeapAfter"],
  ["switchAfter", "switchToHeapAfter"],
]);

/** A value as a refusal shows it, without running its code (JSON.stringify threw on a bigint). */
const shown = (value: unknown): string =>
  typeof value === "function"
    ? "a function"
    : typeof value === "object" && value !== null
      ? "an object"
      : String(value);

/**
 * A binding looked up by something other than a string: `lookup(Symbol())`
 * threw a raw TypeError while writing its refusal, `lookup(42)` looked up "42".
 */
export function requireBindingName(namespace: string, name: unknown): asserts name is string {
  if (typeof name === "string") return;
  throw new InvalidArgumentError(
    `namespace ${namespace}: a binding is looked up by its name, a string, not ${kindOf(name)}`,
    { namespace, type: kindOf(name) },
  );
}

/**
 * The options of `call` as a plain copy, read once: `null` threw a raw
 * TypeError, a number or a symbol was taken for no options, and a getter or
 * a Proxy trap that throws would have thrown from inside the call.
 */
function readOptions(
  namespace: string,
  options: unknown,
  call: string,
  known: readonly string[],
): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  let refusal = `not ${kindOf(options)}`;
  if (kindOf(options) === "object") {
    try {
      return { ...(options as object) };
    } catch (error) {
      refusal = `but they cannot be read (${error instanceof Error ? error.message : kindOf(error)})`;
    }
  }
  throw new InvalidOptionError(
    `namespace ${namespace}: the options of ${call} are an object { ${known.join(", ")} }, ${refusal}`,
    { namespace, type: kindOf(options) },
  );
}

/** The options of `call`, read once, refusing a key it does not know (ignored, it changed nothing without a word). */
function knownOptions(
  namespace: string,
  given: unknown,
  call: string,
  known: readonly string[],
  guesses?: KeyGuesses,
): Readonly<Record<string, unknown>> {
  const options = readOptions(namespace, given, call, known);
  const unknown = unknownKey(options, known, call, guesses);
  if (unknown !== undefined)
    throw new InvalidOptionError(`namespace ${namespace}: ${unknown.message}`, {
      namespace,
      option: unknown.key,
      known: [...known],
      ...(unknown.meant === undefined ? {} : { meant: unknown.meant }),
    });
  return options;
}

/**
 * The finder options, checked before the namespace exists, with its name
 * (both come from JavaScript callers too).
 */
export function finderOptions(
  name: unknown,
  given: unknown,
): { readonly kind: InstanceFinderChoice; readonly switchAfter: number | undefined } {
  if (typeof name !== "string")
    throw new InvalidArgumentError(`new Namespace takes a name, a string, not ${kindOf(name)}`, {
      type: kindOf(name),
    });
  // A misspelt key was ignored: `{ instancefinder: "heap" }` gave the default finder without a word.
  const options = knownOptions(name, given, "new Namespace", KNOWN, GUESSES);
  // Only a missing value means the default, as for every other option (null was taken for it).
  const kind: unknown =
    options.instanceFinder === undefined ? defaultInstanceFinderKind() : options.instanceFinder;
  if (!isInstanceFinderChoice(kind))
    throw new InvalidOptionError(
      `namespace ${name}: instanceFinder ${typeof kind === "string" ? JSON.stringify(kind) : shown(kind)} is not "registry", "heap" or "adaptive"`,
      { namespace: name, option: "instanceFinder", value: kind },
    );
  const switchAfter: unknown = options.switchToHeapAfter;
  if (switchAfter === undefined) return { kind, switchAfter };
  if (typeof switchAfter !== "number" || !Number.isSafeInteger(switchAfter) || switchAfter < 1)
    throw new InvalidOptionError(
      `namespace ${name}: switchToHeapAfter ${shown(switchAfter)} is not a positive integer`,
      { namespace: name, option: "switchToHeapAfter", value: switchAfter },
    );
  if (kind !== "adaptive")
    throw new InvalidOptionError(
      `namespace ${name}: switchToHeapAfter applies to the adaptive instance finder, not "${kind}"`,
      { namespace: name, option: "switchToHeapAfter", value: switchAfter },
    );
  return { kind, switchAfter };
}

export interface RegisterClassOptions extends ReadClassDefinitionOptions {
  /**
   * The name the class gets in the namespace (patches name it so), when its
   * own is taken: a package may ship two classes of one name (ajv's core
   * `Ajv` and the draft-07 `Ajv` extending it). Default: the class's name.
   */
  readonly name?: string;
  /**
   * Accept a superclass this namespace does not manage and that is not
   * native (a package's class, `EventEmitter`) as an external binding: it
   * stays what it is, and updates can never move the class onto or off it.
   * Native superclasses (`Map`, `Error`, `HTMLElement`) need no option.
   */
  readonly externalSuperclass?: boolean;
  /**
   * Promise that every instance of the class is made through the handle
   * `registerClass` returns — the program's own class whose name now refers
   * to the handle, as `metamorph dev` arranges. Without it, metamorph assumes
   * what is usually true of a class handed in: code holding the class itself
   * makes instances the handle never sees — its own methods (`new Money(…)`
   * inside `plus`), static factories, its package's code, and everything made
   * before registration. The registry cannot find those, so the default
   * (adaptive) finder answers with the heap query from then on where the heap
   * can be queried (Node): an update then migrates every instance, at the
   * cost of a heap query per update (docs/design.md, "Finding instances").
   * With the registry finder (named, or in a browser) such instances stay
   * unseen by updates.
   */
  readonly constructedOnlyThroughHandle?: boolean;
}

export interface DefineClassOptions {
  /** Names visible to method and initialiser sources. */
  readonly scope?: CreateClassOptions["scope"];
}

/** What `defineClass` is given: a class spec whose superclass may also be the class itself. */
export interface DefineClassSpec extends Omit<ClassSpec, "superclass"> {
  /** The superclass: its name, its class handle or (a registered class) the class; null or absent for none. */
  readonly superclass?: string | Constructor | null;
}

const DEFINE_KNOWN = Object.keys({ scope: true } satisfies Record<keyof DefineClassOptions, true>);

/**
 * `defineClass`'s scope, its options checked: `{ scoep: { Money } }` compiled
 * the methods without Money, and a scope that is not an object was read as
 * none.
 */
function defineClassScope(
  namespace: string,
  given: unknown,
): NonNullable<DefineClassOptions["scope"]> {
  const { scope } = knownOptions(namespace, given, "defineClass", DEFINE_KNOWN);
  if (scope === undefined) return {};
  if (kindOf(scope) === "object") return scope as NonNullable<DefineClassOptions["scope"]>;
  throw new InvalidOptionError(
    `namespace ${namespace}: defineClass's scope is an object of the names methods and initialisers see, not ${kindOf(scope)}`,
    { namespace, option: "scope", type: kindOf(scope) },
  );
}

/**
 * `spec` with a superclass given as a class named as the namespace binds it
 * (a definition names its superclass). A class this namespace does not
 * manage is refused as a superclass name it does not bind.
 */
function specNamingSuperclass(
  spec: DefineClassSpec,
  namespace: string,
  bindingOf: (cls: Function) => { readonly name: string } | undefined,
): ClassSpec {
  const superclass: unknown = kindOf(spec) === "object" ? spec.superclass : undefined;
  if (superclass === undefined || superclass === null || typeof superclass === "string")
    return spec as ClassSpec;
  // Looked up as a binding, 42 was refused as a lookup ("a binding is looked up by its name").
  if (typeof superclass !== "function")
    throw new InvalidClassDefinitionError(
      `namespace ${namespace}, class ${String(spec.name)}: superclass must be a class handle, a class, a binding name or null, not ${kindOf(superclass)}`,
      { namespace, className: spec.name, part: "superclass", type: kindOf(superclass) },
    );
  const binding = bindingOf(superclass);
  if (binding === undefined)
    throw new UnknownBindingError(
      `namespace ${namespace}: the superclass of ${String(spec.name)}, ${superclass.name || "an anonymous class"}, is not a class of this namespace; define or register it here first`,
      { namespace, className: spec.name, binding: superclass.name },
    );
  return { ...spec, superclass: binding.name };
}

/** What `defineClass` was given, read: the class's definition and the scope its code sees. */
export function defineClassArguments(
  namespace: string,
  spec: DefineClassSpec,
  options: unknown,
  bindingOf: (cls: Function) => { readonly name: string } | undefined,
): {
  readonly definition: ClassDefinition;
  readonly scope: NonNullable<DefineClassOptions["scope"]>;
} {
  const scope = defineClassScope(namespace, options);
  return {
    definition: definitionFromSpec(specNamingSuperclass(spec, namespace, bindingOf)),
    scope,
  };
}

/** Every key of RegisterClassOptions: a Record, so that an option added there must be added here. */
const REGISTER_KNOWN = Object.keys({
  name: true,
  externalSuperclass: true,
  constructedOnlyThroughHandle: true,
  fields: true,
  observe: true,
} satisfies Record<keyof RegisterClassOptions, true>);
const REGISTER_GUESSES: KeyGuesses = new Map([
  ["className", "name"],
  ["as", "name"],
  ["external", "externalSuperclass"],
  ["throughHandle", "constructedOnlyThroughHandle"],
  ["onlyThroughHandle", "constructedOnlyThroughHandle"],
  ["sample", "observe"],
  ["instance", "observe"],
]);

/** A registerClass option that is not of its kind: the kind it should be, or undefined. */
function wrongKind(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (option === "name") return typeof value === "string" ? undefined : "a string";
  if (option === "externalSuperclass" || option === "constructedOnlyThroughHandle")
    return typeof value === "boolean" ? undefined : "true or false";
  if (option === "fields")
    return Array.isArray(value) ? undefined : "an array of field names or definitions";
  if (option === "observe")
    return kindOf(value) === "object" ? undefined : "an object (a sample instance)";
  return undefined;
}

/**
 * `registerClass`'s options, read once and checked before the class is
 * touched: `{ nmae: "E" }` registered the class under its own name, `{
 * external: true }` refused its superclass as unmanaged, a field definition
 * `{ name, initialiser }` lost its value, and `"false"` was taken for true.
 */
export function registerClassOptions(namespace: string, given: unknown): RegisterClassOptions {
  const options = knownOptions(namespace, given, "registerClass", REGISTER_KNOWN, REGISTER_GUESSES);
  for (const [option, value] of Object.entries(options)) {
    const want = wrongKind(option, value);
    if (want !== undefined)
      throw new InvalidOptionError(
        `namespace ${namespace}: registerClass's ${option} must be ${want}, not ${kindOf(value)}`,
        { namespace, option, type: kindOf(value) },
      );
  }
  (options.fields as readonly unknown[] | undefined)?.forEach((field, i) => {
    const unknown = kindOf(field) === "object" ? unknownFieldKey(field as object) : undefined;
    if (unknown !== undefined)
      throw new InvalidOptionError(
        `namespace ${namespace}: registerClass's fields[${i}]: ${unknown.message}`,
        {
          namespace,
          option: "fields",
          key: unknown.key,
          ...(unknown.meant === undefined ? {} : { meant: unknown.meant }),
        },
      );
  });
  return options as RegisterClassOptions;
}

/** `definition` under the name `registerClass` was given, if any (checked like a class name). */
/**
 * `cls` read as a definition named `name` (registerClass's option). A
 * refusal names the class as the program does: a minified package's
 * `registerClass(Signal, { name: "Signal" })` was refused as "v cannot be
 * read as a class", `details.className` "v" (review advZ18).
 */
export function readNamed(
  cls: Function,
  options: ReadClassDefinitionOptions,
  name: string | undefined,
): ClassDefinition {
  try {
    return withName(readClassDefinition(cls, options), name);
  } catch (error) {
    if (!(error instanceof InvalidClassDefinitionError) || name === undefined || name === cls.name)
      throw error;
    const written = cls.name === "" ? "anonymous in its source" : `${cls.name} in its source`;
    const message = error.message.startsWith(`${cls.name || "(anonymous)"} cannot be read`)
      ? `${name} (${written})${error.message.slice((cls.name || "(anonymous)").length)}`
      : error.message;
    throw new InvalidClassDefinitionError(message, { ...error.details, className: name });
  }
}

export function withName(definition: ClassDefinition, name: string | undefined): ClassDefinition {
  if (name === undefined || name === definition.name) return definition;
  if (!isValidClassName(name)) {
    throw new InvalidOptionError(
      `registerClass: name ${JSON.stringify(name)} is not a valid class name`,
      {
        option: "name",
      },
    );
  }
  return { ...definition, name };
}
