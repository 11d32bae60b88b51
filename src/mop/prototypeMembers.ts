/**
 * The members a new version puts on a class's stable prototype: saving and
 * restoring its own descriptors, copying a version's methods and accessors
 * over them, and the members that cannot be copied over — a non-configurable
 * one (winston's `Logger.prototype.transports`), which `defineProperty` can
 * neither redefine nor delete. Such a member is left in place when the new
 * version's is the same function or the same source (decided before the
 * commit, migration/unchangeableMembers.ts, which refuses the rest); any
 * other is an UnswappableObjectError here, before the prototype is touched.
 */
import { UnswappableObjectError } from "../errors.js";
import { sourceOf } from "./functionText.js";
import { unwrapped } from "./standIns.js";

export function snapshotDescriptors(
  holder: object,
  skip: ReadonlySet<PropertyKey>,
): Map<PropertyKey, PropertyDescriptor> {
  const saved = new Map<PropertyKey, PropertyDescriptor>();
  for (const k of Reflect.ownKeys(holder))
    if (!skip.has(k)) saved.set(k, Reflect.getOwnPropertyDescriptor(holder, k)!);
  return saved;
}

/**
 * Puts `holder`'s own properties (but `skip`) back as `saved` had them,
 * keys in their saved order too: a method the version removed comes back
 * where it was, not at the end (from the first key out of place, every key
 * is deleted and defined again in order). A non-configurable key cannot be
 * deleted nor moved; the install never changes one, so it is still as saved.
 */
export function restoreDescriptors(
  holder: object,
  saved: Map<PropertyKey, PropertyDescriptor>,
  skip: ReadonlySet<PropertyKey>,
): void {
  const keys = Reflect.ownKeys(holder).filter((k) => !skip.has(k));
  const order = [...saved.keys()];
  let same = 0;
  while (same < keys.length && same < order.length && keys[same] === order[same]) same++;
  for (let i = same; i < keys.length; i++) {
    const key = keys[i]!;
    if (Reflect.getOwnPropertyDescriptor(holder, key)?.configurable)
      Reflect.deleteProperty(holder, key);
  }
  for (const [key, descriptor] of saved) Object.defineProperty(holder, key, descriptor);
}

export const isMethodDescriptor = (d: PropertyDescriptor | undefined): boolean =>
  d !== undefined && (!("value" in d) || typeof d.value === "function");

const FLAGS = ["configurable", "enumerable", "writable"] as const;
const PARTS = ["value", "get", "set"] as const;

/** Whether defining `next` over `current` changes nothing. */
export function sameDescriptor(current: PropertyDescriptor, next: PropertyDescriptor): boolean {
  return (
    FLAGS.every((f) => current[f] === next[f]) && PARTS.every((p) => Object.is(current[p], next[p]))
  );
}

/**
 * Whether `next` is the same member as `current` written again: a method
 * for a method, an accessor for an accessor, each function (value, getter,
 * setter) the same or of the same source text.
 */
export function sameSource(current: PropertyDescriptor, next: PropertyDescriptor): boolean {
  if ("value" in current !== "value" in next) return false;
  return PARTS.every(
    (p) =>
      Object.is(current[p], next[p]) ||
      (current[p] !== undefined &&
        sourceOf(current[p]) === sourceOf(next[p]) &&
        sourceOf(next[p]) !== undefined),
  );
}

/** `Logger.prototype.transports`, `Logger.prototype[Symbol(kState)]`. */
export function memberPath(owner: string, key: PropertyKey): string {
  if (typeof key === "symbol") return `${owner}[${key.toString()}]`;
  const name = String(key);
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${owner}.${name}` : `${owner}[${JSON.stringify(name)}]`;
}

/** The refusal of a non-configurable member `next` would replace (or remove, when undefined). */
export function nonConfigurableError(
  className: string,
  key: PropertyKey,
  current: PropertyDescriptor,
  next: PropertyDescriptor | undefined,
  reason?: string,
  advice = "Keep that member the same in the new version (the same function, or the same source), or restart the program to load the new version",
): UnswappableObjectError {
  const path = memberPath(`${className}.prototype`, key);
  const kind = "value" in current ? "method" : "accessor";
  const change =
    next === undefined
      ? "the new version does not have it, and it cannot be removed"
      : (reason ?? `the new version has another ${kind} there, and it cannot be redefined`);
  return new UnswappableObjectError(
    `class ${className} cannot be updated in place: ${path} is not configurable (defined with configurable: false) and ${change}; the update is refused before anything changed. ${advice}`,
    { className, object: `${className}.prototype`, property: key, rule: "non-configurable-member" },
  );
}

/**
 * A non-configurable member of `to` that `from` would replace or remove:
 * the error, or undefined when it can stay (the same descriptor, or the same
 * source, which the build has checked is safe to keep).
 */
function stuckMember(
  className: string,
  key: PropertyKey,
  current: PropertyDescriptor,
  next: PropertyDescriptor | undefined,
): UnswappableObjectError | undefined {
  if (next !== undefined && (sameDescriptor(current, next) || sameSource(current, next)))
    return undefined;
  return nonConfigurableError(className, key, current, next);
}

/**
 * Copies `from`'s methods and accessors over `to`'s, removing those `from`
 * lacks that `previous` (the running version's members) has, and `from`'s
 * data over the running version's (releaseData); other data properties
 * stay, and so do non-configurable members `from` has the same.
 * Members the program put on the prototype itself (a mixin's
 * `applyMixins(Sprite, [Jumpable])`, a decorator's `prototype.greet = …`)
 * are no version's: an edit of the class deleted them, silently, and the
 * next call threw (review advZ5). Checks every non-configurable member
 * first, so that it throws before changing anything.
 */
export function transplantMethods(
  from: object,
  to: object,
  skip: ReadonlySet<PropertyKey>,
  className: string,
  previous?: object,
): void {
  const kept = new Set<PropertyKey>();
  for (const key of Reflect.ownKeys(to)) {
    const d = Reflect.getOwnPropertyDescriptor(to, key)!;
    if (skip.has(key) || d.configurable) continue;
    const next = Reflect.getOwnPropertyDescriptor(from, key);
    // A data property stays unless the version has a method there.
    if (!isMethodDescriptor(d) && !isMethodDescriptor(next)) continue;
    const error = stuckMember(className, key, d, next);
    if (error) throw error;
    kept.add(key);
  }
  overwritten.set(to, { from, keys: programMembersLost(from, to, skip, kept, previous) });
  for (const key of Reflect.ownKeys(to)) {
    if (skip.has(key) || kept.has(key)) continue;
    if (!isMethodDescriptor(Reflect.getOwnPropertyDescriptor(to, key))) continue;
    if (!Object.hasOwn(from, key) && (previous === undefined || Object.hasOwn(previous, key)))
      Reflect.deleteProperty(to, key);
  }
  for (const key of Reflect.ownKeys(from)) {
    if (skip.has(key) || kept.has(key)) continue;
    const d = Reflect.getOwnPropertyDescriptor(from, key)!;
    if (isMethodDescriptor(d) || !Object.hasOwn(to, key) || releaseData(to, previous, key))
      Object.defineProperty(to, key, d);
  }
}

/**
 * The methods and accessors the program put on a stable prototype over the
 * running version's own since it was installed (ml-matrix's
 * `Matrix.prototype.get` wrapped by instrumentation), which the last
 * install of a version over it replaced with the new version's member or
 * removed, by prototype. Such a member cannot be kept as it is: it calls
 * the running version's function it captured, so the new version's goes
 * in; this record lets the update say so (migration/programMethods.ts:
 * review advZ14 counted 0 calls after the update, with no word, and the
 * wrapper back after a rollback). A member the program
 * added under a key no version has stays (above); a data value it put
 * there stays too (releaseData).
 */
const overwritten = new WeakMap<
  object,
  { readonly from: object; readonly keys: readonly PropertyKey[] }
>();

/**
 * The keys of the program's members that the last install over
 * `prototype` replaced, where that install brought the members of `from`
 * (the version installed: an older install's record says nothing of it).
 */
export function programMembersReplaced(prototype: object, from: object): readonly PropertyKey[] {
  const last = overwritten.get(prototype);
  return last?.from === from ? last.keys : [];
}

function programMembersLost(
  from: object,
  to: object,
  skip: ReadonlySet<PropertyKey>,
  kept: ReadonlySet<PropertyKey>,
  previous: object | undefined,
): PropertyKey[] {
  if (previous === undefined) return [];
  return Reflect.ownKeys(to).filter((key) => {
    if (skip.has(key) || kept.has(key)) return false;
    const now = unwrapped(Reflect.getOwnPropertyDescriptor(to, key));
    const was = Reflect.getOwnPropertyDescriptor(previous, key);
    const next = Reflect.getOwnPropertyDescriptor(from, key);
    const same = (a: PropertyDescriptor, b: PropertyDescriptor | undefined) =>
      b !== undefined && PARTS.every((p) => Object.is(a[p], b[p]));
    return (
      isMethodDescriptor(now) && isMethodDescriptor(was) && !same(now!, was) && !same(now!, next)
    );
  });
}

/**
 * Whether `to`'s data property `key` still holds what the running version
 * put there (`previous` has the same value): a release's data follows the
 * release, as its methods do. Packages set such data outside the class body
 * (`Bottleneck.prototype.version = …`, `Parser.prototype.defaults = {…}`);
 * after an upgrade every object, new ones too, read the old release's
 * (review advZ6). A value the program put there since stays.
 */
function releaseData(to: object, previous: object | undefined, key: PropertyKey): boolean {
  if (previous === undefined) return false;
  const now = Reflect.getOwnPropertyDescriptor(to, key)!;
  const was = Reflect.getOwnPropertyDescriptor(previous, key);
  return (
    now.configurable === true &&
    !isMethodDescriptor(now) &&
    was !== undefined &&
    "value" in was &&
    Object.is(now.value, was.value)
  );
}
