/**
 * State kept under symbols of the running version's module: `this[kState]`
 * with `const kState = Symbol("state")` at the top of the module, as undici
 * keeps every field of its Headers, Request, Client… A package's next
 * release is another evaluation of its modules, with symbols of its own:
 * its methods find nothing under them on the existing objects (undici 5.22
 * -> 5.28 applied as "methods changed", then every `headers.get()` threw).
 * Reading the source cannot tell such a symbol from a string constant; the
 * objects can: a key that is a symbol neither registered (`Symbol.for`) nor
 * well-known belongs to one evaluation of one module. So a class whose
 * source reads `this[name]` and that gets a new implementation from another
 * scope has its objects looked at (a few: they share their layout) before
 * anything changes.
 */
import { constructorOfDefinition, stablePrototype } from "../mop/classHandle.js";
import { chainContains } from "../mop/instances/finder.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Built } from "./phases/build.js";
import { moduleSymbolRefusal } from "./privateStateRefusal.js";

/** How many objects of a class are looked at. */
const SAMPLE = 64;

/** `this[name]`: a member of the object under a key from a binding. */
const KEYED_BY_BINDING = /\bthis\s*\[\s*[A-Za-z_$]/;

const WELL_KNOWN = new Set<symbol>(
  Object.getOwnPropertyNames(Symbol)
    .map((k) => (Symbol as unknown as Record<string, unknown>)[k])
    .filter((v): v is symbol => typeof v === "symbol"),
);

/** metamorph's own marks (a lazy update's brand). */
const ours = (key: symbol): boolean => key.description?.startsWith("metamorph") === true;

/** The stable prototypes of the classes whose objects must be looked at, with their names. */
export function moduleKeyedClasses(
  namespace: Namespace,
  { build, oldDefs }: Built,
): Map<object, string> {
  const classes = new Map<object, string>();
  for (const [name, cls] of build.classes) {
    const implementation = cls.implementation;
    if (implementation === undefined || cls.implementationDerived || cls.sameScope) continue;
    const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
    const running = old && constructorOfDefinition(old);
    if (running === undefined || running === implementation) continue;
    if (!KEYED_BY_BINDING.test(Function.prototype.toString.call(running))) continue;
    // Its subclasses' objects hold the same keys (a base class with few objects of its own).
    const prototype = stablePrototype(namespace.classNamed(cls.oldName!));
    for (const handle of namespace.classes()) {
      const other = stablePrototype(handle);
      if (other === prototype || chainContains(other, prototype)) classes.set(other, name);
    }
  }
  return classes;
}

/** Refuses, naming them, module symbols found on the first objects of each class (and of its subclasses). */
export function refuseModuleSymbols(
  classes: ReadonlyMap<object, string>,
  objectsOf: (prototype: object) => readonly object[],
): void {
  const found = new Map<string, Set<symbol>>();
  for (const [prototype, name] of classes) {
    const objects = objectsOf(prototype);
    let symbols = found.get(name);
    if (symbols === undefined) found.set(name, (symbols = new Set()));
    for (let i = 0; i < objects.length && i < SAMPLE; i++) {
      for (const key of Object.getOwnPropertySymbols(objects[i]!)) {
        if (Symbol.keyFor(key) === undefined && !WELL_KNOWN.has(key) && !ours(key))
          symbols.add(key);
      }
    }
  }
  for (const [name, symbols] of found)
    if (symbols.size > 0) throw moduleSymbolRefusal(name, [...symbols]);
}
