/**
 * Lazy migration. Class handles keep one prototype per class, so an
 * unmigrated object cannot be told apart by its prototype; instead, while a
 * lazy update is in progress, every method and accessor its class can reach
 * is wrapped on the stable prototype by a guard: if `this` is not yet
 * migrated, migrate it, then run the new member (a constructor kept there
 * is no method: guardShapes.ts). The commit installs guards
 * per class (its pause does not grow with the number of instances); the
 * guards are removed as soon as no old-layout instance is left (progressive
 * sweep, or `completeMigration()`), after which calls cost nothing extra.
 * While they are installed a call on an object migrated at its first touch
 * or by the sweep, or built by the new version meanwhile, pays a check of
 * its hidden class (its brand, lazyBrand.ts); on any other object a
 * WeakSet lookup (migratedSet.ts; see bench `migration.lazy.*`).
 *
 * A migration that fails at first touch rolls the whole update back (see
 * lazyCompletion.ts); the guard then runs the member that is installed after
 * the rollback — the old version's — so the triggering call proceeds on the
 * old version, unless new-version code is running further up the stack: the
 * touch then throws (newCodeOnStack.ts).
 *
 * What lazy cannot observe: a direct read of an own field of an unmigrated
 * object (`obj.x` where `x` is a field, not an accessor) runs no guard, so it
 * sees the old layout until a method is called on the object or the sweep
 * reaches it. State behind methods (encapsulated) is safe; for state read
 * directly, use eager, progressive (bounded window), or instance handles,
 * whose field accessors are methods and so trigger migration.
 */
import type { Undo } from "../mop/classHandle.js";
import { markStandIn } from "../mop/standIns.js";
import { dress, type GuardKind, guardKindOf, isConstructor } from "./guardShapes.js";
import type { Frame } from "./newCodeOnStack.js";
import { callersOf } from "./newCodeOnStack.js";

/** An update's brand (lazyBrand.ts Brands). */
export interface Brand {
  readonly token: object;
  readonly symbol: symbol;
  has(object: object): boolean;
}

/**
 * Wraps every method and accessor reachable from `prototype` in a migrating
 * guard. An object is migrated if it carries the update's `brand`
 * (lazyBrand.ts) or is in `migrated`; `migrate` returns false when the
 * object could not be migrated and the update was rolled back instead.
 */
export function installLazyGuards(
  prototype: object,
  brand: Brand,
  migrated: { has(obj: object): boolean },
  migrate: (obj: object) => boolean,
  /** Why the update was rolled back, once a first touch failed. */
  failure: () => Error | undefined = () => undefined,
): Undo {
  setSlowPath(brand.token, migrated, migrate);
  const route = routeOf(brand.token, failure);
  route.off = false;
  const site: Site = {
    prototype,
    brand,
    route,
    failure,
    parent: () => Object.getPrototypeOf(prototype) as object,
  };
  // What each key held before (undefined: inherited) and the guard put there.
  const saved = new Map<PropertyKey, { before?: PropertyDescriptor; guard: PropertyDescriptor }>();
  const seen = new Set<PropertyKey>(["constructor"]);
  for (
    let p: object | null = prototype;
    p !== null && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    const own = p === prototype;
    for (const key of Reflect.ownKeys(p)) {
      if (seen.has(key)) continue;
      seen.add(key);
      const d = Reflect.getOwnPropertyDescriptor(p, key)!;
      const guard =
        "value" in d
          ? typeof d.value === "function" && !isConstructor(d.value)
            ? methodGuardDescriptor(site, key, d, own)
            : undefined
          : accessorGuardDescriptor(site, key, d, own);
      if (guard === undefined) continue;
      Object.defineProperty(prototype, key, guard);
      saved.set(key, own ? { before: d, guard } : { guard });
    }
  }
  return () => {
    for (const [key, { before, guard }] of saved) {
      // What the program put there since (a wrapper an afterCommit hook
      // installed over the new release's method, an override) is the
      // program's and stays, as it does after an eager update; a rollback
      // then gives the prototype back as the commit found it (its record).
      if (!isGuard(Reflect.getOwnPropertyDescriptor(prototype, key), guard)) continue;
      if (before) Object.defineProperty(prototype, key, before);
      else Reflect.deleteProperty(prototype, key);
    }
    route.off = true;
  };
}

/** The prototype a lazy update guards, and what its guards ask. */
interface Site {
  readonly prototype: object;
  readonly brand: Brand;
  readonly route: Route;
  readonly failure: () => Error | undefined;
  /** The prototype's own prototype, read at each call: where an inherited member lives now. */
  readonly parent: () => object;
}

/** Whether `now` is still the guard `guard` describes (the program may have replaced it, or only one half of an accessor). */
function isGuard(now: PropertyDescriptor | undefined, guard: PropertyDescriptor): boolean {
  if (now === undefined) return false;
  if ("value" in guard) return "value" in now && now.value === guard.value;
  return now.get === guard.get && now.set === guard.set;
}

/** The guard of method `key` (`d`, the prototype's own or inherited), shaped like it (guardShapes.ts). */
function methodGuardDescriptor(
  { prototype, brand, route, failure, parent }: Site,
  key: PropertyKey,
  d: PropertyDescriptor,
  own: boolean,
): PropertyDescriptor {
  const like = d.value as Function;
  const original = own
    ? like
    : function (this: object, ...args: unknown[]) {
        return Reflect.apply(Reflect.get(parent(), key, this) as Function, this, args);
      };
  let guard: Function | undefined;
  // Still this guard: the rollback is under way, its guards not yet
  // taken off (a getter it reads calls a method): the member it wraps,
  // not the guard again, which would recurse until the stack ran out.
  const afterRollback = (self: object, args: ArrayLike<unknown>) => {
    const now = Reflect.get(prototype, key, self) as unknown;
    // A method the update added is gone with it: the call fails with
    // the reason, not a TypeError from calling undefined.
    if (typeof now !== "function")
      throw failure() ?? new TypeError(`${String(key)} is not a function`);
    return Reflect.apply(now === guard ? original : now, self, Array.from(args));
  };
  // `new` on a guard builds with the member (an inherited one as it is then).
  const construct = (args: ArrayLike<unknown>, newTarget: Function | undefined) => {
    const target = own ? like : (Reflect.get(parent(), key) as Function);
    return Reflect.construct(target, args, newTarget ?? target);
  };
  guard = methodGuard(brand, route, guardKindOf(like), original, afterRollback, construct);
  dress(guard, like);
  // metamorph's, not the program's: a tracker's wrapper over it keeps it past the update.
  markStandIn(guard, like);
  return {
    configurable: true,
    writable: d.writable ?? true,
    enumerable: d.enumerable ?? false,
    value: guard,
  };
}

/**
 * The guard of accessor `key` (`d`, the prototype's own or inherited): a
 * getter where it has one, a setter where it has one (a getter-only
 * accessor that gained a setter took a strict-mode assignment silently,
 * where the language throws), each named as its own.
 */
function accessorGuardDescriptor(
  { prototype, brand, route, failure, parent }: Site,
  key: PropertyKey,
  d: PropertyDescriptor,
  own: boolean,
): PropertyDescriptor | undefined {
  if (d.get === undefined && d.set === undefined) return undefined;
  const { token } = brand;
  // Method syntax: no `prototype`, as an accessor's halves have none. Each
  // calls outOfLine itself, as a method's guard does: callersOfGuard leaves
  // out the one frame below it, the guard's (through a helper, that was
  // the helper's, and the guard's own frame, named as the accessor, read
  // as new code running).
  const halves = {
    get(this: object) {
      if (!(brand.has(this) || (route.off ? route.completed() : outOfLine(token, this))))
        return Reflect.get(prototype, stillThere(prototype, key, failure), this);
      return own ? d.get!.call(this) : Reflect.get(parent(), key, this);
    },
    set(this: object, value: unknown) {
      if (!(brand.has(this) || (route.off ? route.completed() : outOfLine(token, this))))
        Reflect.set(prototype, stillThere(prototype, key, failure), value, this);
      else if (own) d.set!.call(this, value);
      else Reflect.set(parent(), key, value, this);
    },
  };
  const guard: PropertyDescriptor = { configurable: true, enumerable: d.enumerable ?? false };
  if (d.get !== undefined) dress((guard.get = halves.get), d.get);
  if (d.set !== undefined) dress((guard.set = halves.set), d.set);
  return guard;
}

/**
 * `key` if the rolled-back prototype still has it: an accessor the update
 * added is gone with it, where a read answered undefined and a write left an
 * own field that hid the accessor once the update was applied again (review
 * advW4). Fails with the reason instead, as a method's guard does.
 */
function stillThere(prototype: object, key: PropertyKey, failure: () => Error | undefined) {
  if (!(key in prototype)) throw failure() ?? new TypeError(`${String(key)} is gone`);
  return key;
}

/**
 * Numbers every guard's source: V8 caches what `new Function` compiles by
 * its source text, type feedback included, so guards of one text would
 * share it — after a few classes the brand check and the call of the
 * original go megamorphic (measured: 2.2 → 6.9 ns per call from the sixth
 * class on).
 */
let guards = 0;

/** Each update's slow path (is the object migrated, else migrate it), by its brand token. */
const slowPaths = new WeakMap<object, (object: object) => boolean>();

/**
 * A guard's slow path, called from one call site shared by every guard,
 * whose target comes from a WeakMap (never a constant to TurboFan) and
 * which has seen several targets (below): megamorphic, so TurboFan never
 * inlines a slow path into a guard. Otherwise a guard optimised during a
 * run of first touches inlines the whole migration (~870 bytes of
 * bytecode), and a loop optimised afterwards finds the guard over its
 * inlining budget and calls it instead of inlining it: a guarded call then
 * cost 8.3 ns instead of 3.8, depending on which V8 happened to optimise
 * first.
 */
function outOfLine(token: object, object: object): boolean {
  return slowPaths.get(token)!(object);
}
// Two targets, enough times for V8 to have given the function a feedback
// vector (after about 8 calls) and recorded both.
{
  const a = {};
  const b = {};
  slowPaths.set(a, () => true);
  slowPaths.set(b, (object) => object === a);
  for (let i = 0; i < 32; i++) outOfLine(i % 2 === 0 ? a : b, a);
}

function setSlowPath(
  token: object,
  migrated: { has(obj: object): boolean },
  migrate: (obj: object) => boolean,
): void {
  if (!slowPaths.has(token)) {
    slowPaths.set(token, (object: object) => migrated.has(object) || migrate(object));
  }
}

/**
 * Whether an update's guards are off, by its brand token. A guard the
 * program still holds then (a listener registered with `Proto.m` read while
 * the update was pending, a wrapper it made over one) runs the member the
 * update left: the new release's once it completed (or was rolled back on
 * request, as a new method held after an eager update would run); once a
 * failed first touch rolled it back, the member installed now, as the call
 * that touched goes on with. It asked the migrated set, where the rollback
 * had moved the objects migrated at their first touch, and ran the new
 * release's method on them, back on the old layout. It no longer asks the
 * set either: through a wrapper over a guard, 32–42 ns a call against
 * 14–18 ns so (a plain call through the wrapper: 2–5 ns; a loaded machine,
 * review advZ19). Guards installed again (an earlier update reopened)
 * migrate again.
 */
interface Route {
  off: boolean;
  readonly completed: () => boolean;
}
const routes = new WeakMap<object, Route>();

function routeOf(token: object, failure: () => Error | undefined): Route {
  let route = routes.get(token);
  if (route === undefined) {
    route = { off: false, completed: () => failure() === undefined };
    routes.set(token, route);
  }
  return route;
}

/**
 * Who called the guard whose slow path is running (newCodeOnStack.ts), the
 * guard itself left out (`outermost`: who called the outermost of the guards
 * whose slow paths are running); undefined where the platform gives no
 * structured stack.
 */
export const callersOfGuard = (outermost = false): Frame[] | undefined =>
  callersOf(outOfLine, outermost);

/**
 * The guard of one method, compiled on its own (its own source text, see
 * `guards`) so that each has its own type feedback, with `arguments`
 * passed straight through (no rest array):
 * on an object migrated at its first touch it costs the check of its brand
 * (`in`, answered by its hidden class); on any other object the slow path
 * runs, out of line (a WeakSet lookup for one marked in bulk, the migration
 * for a pending one). `in` refuses a primitive `this` (a method called on
 * one): the `try` answers false for it, where testing `typeof this` first
 * cost a nanosecond more per call (measured: 2.3 → 3.3 ns). Written as
 * `kind` says (guardShapes.ts): a `function` guard passes `new` on to the
 * method.
 */
function methodGuard(
  { token, symbol }: Brand,
  route: Route,
  kind: GuardKind,
  original: Function,
  afterRollback: (self: object, args: ArrayLike<unknown>) => unknown,
  construct: (args: ArrayLike<unknown>, newTarget: Function | undefined) => object,
): Function {
  const body = `
       let branded;
       try { branded = B in this; } catch { branded = false; }
       if (!branded && !(R.off ? R.completed() : outOfLine(token, this)))
         return afterRollback(this, arguments);
       return original.apply(this, arguments);`;
  const guard =
    kind === "function"
      ? `function guard() {
       if (new.target !== undefined) return construct(arguments, new.target === guard ? undefined : new.target);${body}
     }`
      : `({ guard() {${body}
     } }).guard`;
  return new Function(
    "B",
    "R",
    "token",
    "outOfLine",
    "original",
    "afterRollback",
    "construct",
    `"use strict"; // guard ${++guards}
     return ${guard};`,
  )(symbol, route, token, outOfLine, original, afterRollback, construct) as Function;
}

/** Waits for the next macrotask, so that the program's own tasks run between sweep slices. */
export const nextTask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
