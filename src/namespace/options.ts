/** What a namespace, and the classes it is handed or defines, can be told. */
import { InvalidArgumentError, InvalidOptionError } from "../errors.js";
import type { ClassDefinition } from "../mop/classDefinition.js";
import { kindOf } from "../mop/classDefinition.js";
import type { CreateClassOptions } from "../mop/createClass.js";
import { isValidClassName } from "../mop/createClass.js";
import { defaultInstanceFinderKind } from "../mop/instances/defaultFinder.js";
import type { InstanceFinderChoice } from "../mop/instances/finder.js";
import { isInstanceFinderChoice } from "../mop/instances/finder.js";
import type { ReadClassDefinitionOptions } from "../mop/readClassDefinition.js";
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
 * The options as a plain copy, read once: `null` threw a raw TypeError, a
 * number or a symbol was taken for no options, and a getter or a Proxy trap
 * that throws would have thrown from inside the constructor.
 */
function readOptions(name: string, options: unknown): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  let refusal = `not ${kindOf(options)}`;
  if (typeof options === "object" && options !== null) {
    try {
      if (!Array.isArray(options)) return { ...options };
      refusal = "not an array";
    } catch (error) {
      refusal = `but they cannot be read (${error instanceof Error ? error.message : kindOf(error)})`;
    }
  }
  throw new InvalidOptionError(
    `namespace ${name}: the options of new Namespace are an object { ${KNOWN.join(", ")} }, ${refusal}`,
    { namespace: name, type: kindOf(options) },
  );
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
  const options = readOptions(name, given);
  // A misspelt key was ignored: `{ instancefinder: "heap" }` gave the default finder without a word.
  const unknown = unknownKey(options, KNOWN, "new Namespace", GUESSES);
  if (unknown !== undefined)
    throw new InvalidOptionError(`namespace ${name}: ${unknown.message}`, {
      namespace: name,
      option: unknown.key,
      known: [...KNOWN],
      ...(unknown.meant === undefined ? {} : { meant: unknown.meant }),
    });
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

/** `definition` under the name `registerClass` was given, if any (checked like a class name). */
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
