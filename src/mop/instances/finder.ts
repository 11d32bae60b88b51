/**
 * Finding every live instance of a class. JavaScript has no `allInstances`, so
 * there are two interchangeable backends:
 *
 * - the **registry** records a `WeakRef` to each instance when it is
 *   constructed (opt-in per prototype), at a small cost on every construction
 *   and a `deref()` per object when enumerating;
 * - the **heap** backend asks V8 itself through an in-process `node:inspector`
 *   session (`Runtime.queryObjects`): nothing to pay at construction, a full
 *   garbage collection plus a heap walk at query time, Node only.
 *
 * Both are synchronous, because an update's commit is one synchronous block.
 * Every method of a finder works unbound (`const { record } = finder`), so a
 * class handle can keep `record` as a plain function.
 */
import { isShadowCopy } from "./shadowCopies.js";

/** The backend that answers a finder's queries. */
export type InstanceFinderKind = "registry" | "heap";

/** What a namespace may ask for: a backend, or the adaptive finder that starts as the registry and may switch to the heap (adaptiveFinder.ts). */
export type InstanceFinderChoice = InstanceFinderKind | "adaptive";

export function isInstanceFinderChoice(value: unknown): value is InstanceFinderChoice {
  return value === "registry" || value === "heap" || value === "adaptive";
}

export interface FindOptions {
  readonly includeSubclasses?: boolean;
}

export interface InstanceFinder {
  /** The backend answering now (the adaptive finder's changes once, from "registry" to "heap"). */
  readonly kind: InstanceFinderKind;
  /** Registry: start recording instances whose [[Prototype]] is exactly `prototype` (opt-in per class). Heap: no-op. */
  enable(prototype: object): void;
  /**
   * Registry: record a freshly constructed object (called by class handles right
   * after each construction; objects whose prototype is not enabled, nor a
   * subclass's of an enabled one, are ignored). Call it again after an
   * object's prototype changed (e.g. an identity swap, or its rollback) so it
   * is found under its new prototype, and for an object the program put on a
   * class's prototype without constructing it (a deserialiser's
   * `Object.create`), which nothing else tells the registry of; it is never
   * reported twice. Heap: no-op.
   */
  record(instance: object): void;
  /**
   * `record` for an object its class handle has just constructed (the
   * namespace's construction observer): such an object cannot have been
   * recorded before, which lets the registry skip duplicate checks when it
   * enumerates lists fed only this way.
   */
  recordConstructed(instance: object): void;
  /**
   * Every live object whose [[Prototype]] is exactly `prototype` (default) or
   * that has `prototype` anywhere in its chain (`includeSubclasses`). Never
   * prototype objects (an object whose own `constructor` is a function whose
   * `.prototype` is that object), never dead objects, never duplicates.
   */
  find(prototype: object, options?: FindOptions): object[];
  /**
   * Throws (MM_FINDER_UNAVAILABLE) when this finder cannot list every object
   * of `prototypes` (the adaptive finder without a heap to query let some go
   * unrecorded past its cap per job: ./untracked.ts). Absent: it lists all.
   */
  refuseUntracked?(prototypes: readonly object[]): void;
}

const isPrototypeOfIntrinsic = Object.prototype.isPrototypeOf;
const hasOwn = Object.hasOwn;
export const getPrototypeOf = Object.getPrototypeOf;

/** `ancestor` is somewhere in the [[Prototype]] chain of `object` (not `object` itself). */
export function chainContains(object: object, ancestor: object): boolean {
  return isPrototypeOfIntrinsic.call(ancestor, object);
}

/**
 * The stable prototypes of class handles: one whose `constructor` is the
 * running implementation (a registered package class) is not that class's
 * `.prototype`, and would otherwise pass for an instance of what it extends.
 */
const stablePrototypes = new WeakSet<object>();

export function noteStablePrototype(prototype: object): void {
  stablePrototypes.add(prototype);
}

/**
 * Notes an object of metamorph's own on a managed class's chain that no
 * `constructor` gives away (a derived version's method home, whose
 * [[Prototype]] is the superclass's prototype): never an instance.
 */
export const noteNotInstance: (object: object) => void = noteStablePrototype;

/**
 * Subclass prototypes have the parent prototype in their chain, so a chain
 * query would report them as instances. Reading the descriptor (not the
 * property) keeps an accessor named `constructor` from running.
 */
export function isPrototypeObject(object: object): boolean {
  if (stablePrototypes.has(object)) return true;
  if (!hasOwn(object, "constructor")) return false;
  const descriptor = Object.getOwnPropertyDescriptor(object, "constructor");
  const ctor: unknown = descriptor?.value;
  if (typeof ctor !== "function") return false;
  const ctorPrototype = Object.getOwnPropertyDescriptor(ctor, "prototype");
  return ctorPrototype !== undefined && ctorPrototype.value === object;
}

/**
 * The class prototype an object given a prototype of its own sits on
 * (`Object.setPrototypeOf(account, Object.create(Account.prototype, audit))`:
 * a per-object mixin), through ordinary objects only; undefined where the
 * object's [[Prototype]] is a class's prototype, as for any instance. Such an
 * object is an instance of that class, and its mixin is none: found as one,
 * the mixin was migrated and the object left on the old layout (review advX4).
 */
export function perObjectHome(object: object): object | undefined {
  let p = getPrototypeOf(object) as object | null;
  if (p === null || isPrototypeObject(p) || !holdsMethodsOnly(p)) return undefined;
  for (p = getPrototypeOf(p) as object | null; p !== null; p = getPrototypeOf(p) as object | null) {
    if (isPrototypeObject(p)) return p;
    if (!holdsMethodsOnly(p)) return undefined;
  }
  return undefined;
}

/**
 * Whether a finder has ever reported an object on a per-object mixin
 * (`perObjectHome`). Updates migrate objects on their class's prototype
 * only, and look for these in what was found only once one was met: a
 * program that makes none pays nothing.
 */
let perObjectInstancesMet = false;

export function notePerObjectInstance(): void {
  perObjectInstancesMet = true;
}

/** `object`, not on `prototype` itself, sits on it through a per-object mixin (noted if so). */
export function onMixinOf(object: object, prototype: object): boolean {
  if (perObjectHome(object) !== prototype) return false;
  perObjectInstancesMet = true;
  return true;
}

export function perObjectInstancesSeen(): boolean {
  return perObjectInstancesMet;
}

/**
 * Whether objects on `prototype` sit on a class, for a query with
 * `includeSubclasses`, remembered by [[Prototype]] for one enumeration: on
 * a class's prototype (a subclass's), or on a per-object mixin over one. An
 * object on an ordinary object delegates to it (`Object.create(instance)`,
 * a child logger) and is no instance, under any query: the heap reported
 * it to `includeSubclasses` where the registry did not (review advZ17).
 */
export function onClassPrototypes(): (object: object) => boolean {
  const byPrototype = new Map<object, boolean>();
  return (object) => {
    const p = getPrototypeOf(object) as object | null;
    if (p === null) return false;
    let on = byPrototype.get(p);
    if (on === undefined)
      byPrototype.set(p, (on = isPrototypeObject(p) || perObjectHome(object) !== undefined));
    return on;
  };
}

/** An ordinary object holding only methods, between an object and its class's prototype: a per-object mixin. */
export function isMixin(object: object): boolean {
  return !isPrototypeObject(object) && holdsMethodsOnly(object);
}

/**
 * A mixin holds behaviour: functions and accessors, no state. An object
 * with fields in the chain is an instance some other object delegates to
 * (`Object.create(defaults)`): that one is the instance, as before.
 */
function holdsMethodsOnly(object: object): boolean {
  if (stablePrototypes.has(object)) return false;
  const keys = Reflect.ownKeys(object);
  // An instance may hold nothing but functions too: one of a class with no
  // fields, or whose fields are all arrows (`onClick = () => …`), which an
  // `Object.create(instance)` child delegates to (review advY6). Those are
  // enumerable fields; a mixin's methods are defined as methods are, not
  // enumerable (`Object.create(C.prototype, { audit: { value } })`), or are
  // accessors.
  if (keys.length === 0) return false;
  for (const key of keys) {
    const descriptor = Object.getOwnPropertyDescriptor(object, key)!;
    if ("get" in descriptor || "set" in descriptor) continue;
    if (typeof descriptor.value !== "function" || descriptor.enumerable) return false;
  }
  return true;
}

/**
 * `perObjectHome` remembered by [[Prototype]] for one enumeration, so that a
 * query meeting 10^6 subclass instances checks their one prototype once.
 */
export function perObjectHomes(): (object: object) => object | undefined {
  const byPrototype = new Map<object, object | null>();
  return (object) => {
    const p = getPrototypeOf(object) as object;
    let home = byPrototype.get(p);
    if (home === undefined) byPrototype.set(p, (home = perObjectHome(object) ?? null));
    return home ?? undefined;
  };
}

/**
 * Whether `object`, met on a managed class's prototype chain, is no instance
 * but a piece of the machinery: a subclass's prototype object, or a shadow
 * copy (looked up only where `copiesPossible`: see shadowCopiesMarked).
 */
export function isNotInstance(object: object, copiesPossible: boolean): boolean {
  return isPrototypeObject(object) || (copiesPossible && isShadowCopy(object));
}

/**
 * Counts the ways an object can join a class's instances other than by its
 * construction through a class handle: metamorph's own prototype changes
 * (applyState) and explicit `record` calls. An update that found instances
 * ahead of its pause checks it did not change meanwhile.
 */
let membershipChanges = 0;

export function noteMembershipChange(): void {
  membershipChanges++;
}

export function membershipEpoch(): number {
  return membershipChanges;
}
