/**
 * A new implementation of a class that keeps state for its objects in maps
 * outside them, keyed by the object (`lists.get(this)`, `internals.lists`,
 * a static `Bag.store`): which of those maps the new code would not share
 * with the running one, so that the existing objects have no entry in what
 * it reads (emittery 1.0.1 -> 1.0.3 applied, then threw from the first
 * `emit` on an old emitter).
 *
 * A map of the module is another one in another evaluation of the module
 * (a package's next release), unless the patch says `sameScope`. That claim
 * is checked where the engine can read both classes' closures
 * (scopeBindings.ts): two copies of one module file have a map each, and
 * trusted, the update committed and every old object broke. Where no scope
 * can be read (a page), the claim is trusted. A static of the class is the
 * new class's own (statics take the new class's values) unless the patch
 * keeps it (`keepStatics`): compared by value either way.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { constructorOfDefinition } from "../mop/classHandle.js";
import { readableClassSource } from "../mop/source/readableSource.js";
import type { ClassBuild } from "./build.js";
import {
  mapOfCall,
  outsideStateRefusal,
  unsharedMapsRefusal,
  type UnsharedMap,
} from "./privateStateRefusal.js";
import { type ScopeBindings, scopeBindings } from "./scopeBindings.js";

/** The value at `path` below `root`, read from data properties only (no getter runs); undefined where unknown. */
function dataAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if ((typeof value !== "object" && typeof value !== "function") || value === null) {
      return undefined;
    }
    let descriptor: PropertyDescriptor | undefined;
    for (let o: object | null = value; o !== null && descriptor === undefined; ) {
      descriptor = Object.getOwnPropertyDescriptor(o, key);
      o = Object.getPrototypeOf(o) as object | null;
    }
    if (descriptor === undefined || !("value" in descriptor)) return undefined;
    value = descriptor.value;
  }
  return value;
}

/** The static a map path names (`Bag.store`, `this.constructor.store`: `["store"]`), given the class's own name; undefined for a map of the module. */
function staticPath(path: readonly string[], className: string): readonly string[] | undefined {
  if (path[0] === "this" && path[1] === "constructor") return path.slice(2);
  return path[0] === className && path.length > 1 ? path.slice(1) : undefined;
}

interface Sides {
  readonly running: Function | undefined;
  readonly implementation: Function;
  readonly cls: ClassBuild;
  /** Read only when asked: the inspector's scopes cost a session each. */
  readonly scopes: () => { readonly before: ScopeBindings; readonly now: ScopeBindings };
}

/** Whether the static at `path` the new code reads is the one the running code filled: undefined where unknown. */
function sameStatic(path: readonly string[], sides: Sides): boolean | undefined {
  const [first, ...rest] = path;
  if (first === undefined || first.startsWith("#")) return false;
  const before = dataAt(sides.running, path);
  const origin = sides.cls.staticOrigins?.get(first);
  const now =
    origin == null ? dataAt(sides.implementation, path) : dataAt(sides.running, [origin, ...rest]);
  return before === undefined || now === undefined ? undefined : before === now;
}

/** Whether the map of the module at `path` is the same object in both classes' scopes: undefined where unknown. */
function sameBinding(path: readonly string[], sides: Sides): boolean | undefined {
  const [root, ...rest] = path;
  if (root === undefined) return undefined;
  const { before, now } = sides.scopes();
  const [a, b] = [dataAt(before(root), rest), dataAt(now(root), rest)];
  return a === undefined || b === undefined ? undefined : a === b;
}

/**
 * Refuses a new implementation handed in (not derived from the running
 * version, not the running class itself) whose code and the running code's
 * keep state for the objects in maps the new code would not share.
 */
export function refuseStateOutside(
  name: string,
  cls: ClassBuild,
  old: ClassDefinition | undefined,
): void {
  const implementation = cls.implementation;
  if (implementation === undefined || cls.implementationDerived) return;
  const running = old && constructorOfDefinition(old);
  if (running === implementation) return;
  const [parsedBefore, parsedNow] = [
    readableClassSource(running),
    readableClassSource(implementation),
  ];
  const before = parsedBefore?.stateOutside ?? [];
  const after = parsedNow?.stateOutside ?? [];
  if (before.length + after.length === 0) return;
  let scopes: ReturnType<Sides["scopes"]> | undefined;
  const sides: Sides = {
    running,
    implementation,
    cls,
    scopes: () =>
      (scopes ??= {
        before: scopeBindings(running === undefined ? [] : [running]),
        now: scopeBindings([implementation]),
      }),
  };
  const keyOf = (call: string, className: string) => {
    const map = mapOfCall(call);
    const statics = staticPath(map.split("."), className);
    return { map, statics, key: statics ? `static ${statics.join(".")}` : map };
  };
  const keysBefore = new Set(before.map((c) => keyOf(c, parsedBefore!.name).key));
  const keysNow = new Set(after.map((c) => keyOf(c, parsedNow!.name).key));
  const lost = new Map<string, UnsharedMap>();
  const judge = (call: string, className: string) => {
    const { map, statics, key } = keyOf(call, className);
    if (lost.has(map)) return;
    // Unknown (a static behind a getter, scopes the engine cannot read): the patch's word.
    const kept =
      statics === undefined
        ? cls.sameScope === true && sameBinding(map.split("."), sides) !== false
        : keysBefore.has(key) &&
          keysNow.has(key) &&
          (sameStatic(statics, sides) ?? cls.sameScope === true);
    if (!kept) lost.set(map, { map, call, ...(statics ? { static: statics.join(".") } : {}) });
  };
  for (const call of before) judge(call, parsedBefore!.name);
  for (const call of after) judge(call, parsedNow!.name);
  if (lost.size === 0) return;
  const unshared = (calls: readonly string[]) => calls.filter((c) => lost.has(mapOfCall(c)));
  const modules = [...lost.values()].filter((m) => m.static === undefined);
  if (cls.sameScope !== true && modules.length > 0) {
    throw outsideStateRefusal(name, unshared(before), unshared(after));
  }
  throw unsharedMapsRefusal(name, [...lost.values()], cls.sameScope === true);
}
