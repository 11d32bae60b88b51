/**
 * References to a world's instances from inside a field's value: an
 * `Account` in `bank.accounts`, a Map from names to people, a Set of
 * members. A generated value holds a `WorldRef` placeholder where an
 * instance goes; the population pins each placeholder to one instance of
 * the spec (so a counterexample prints, shrinks and replays as data), and
 * the build puts the live instance in its place in the world's copy of
 * the value. Programs keep their objects in containers far more often than
 * in a field of their own, and a migrator reading through one
 * (`old.accounts.reduce((s, a) => s + a.balance, 0)`) depends on whether
 * those objects were migrated first.
 */
import fc from "fast-check";
import { InvalidOptionError } from "../../errors.js";
import type { WorldModel } from "./types.js";

/** Stands for an instance of the world (of class `className`, when given) inside a generated value. */
export class WorldRef {
  constructor(
    /** An index into the world's instances (of `className`, when given), taken modulo their number. */
    readonly index: number,
    readonly className?: string,
  ) {
    Object.freeze(this);
  }
  [fc.toStringMethod](): string {
    return `→#${this.index}`;
  }
}

/**
 * Values that are an instance of the world, to compose into a field's
 * arbitrary: `values: { Bank: { accounts: fc.array(worldInstance("Account")) } }`
 * gives every Bank an array of the world's Accounts (of its subclasses too);
 * with no class, any instance of the world. Where the world has no such
 * instance, an array or Set element, a Map entry or an object's property
 * that would hold it is left out, and a whole field is `undefined`.
 */
export function worldInstance(className?: string): fc.Arbitrary<object> {
  if (className !== undefined && typeof className !== "string") {
    throw new InvalidOptionError("worldInstance: the class is given by its name, a string", {
      call: "worldInstance",
      option: "className",
    });
  }
  return fc.nat({ max: 64 }).map((i) => new WorldRef(i, className));
}

/**
 * Whether `o` is a container the kit looks into: a plain object, an array,
 * a Map or a Set — never an instance of a subclass of one (a world's own
 * `Registry extends Map` is an instance, not a value holding them).
 */
function isContainer(o: object): boolean {
  const proto: unknown = Object.getPrototypeOf(o);
  return (
    proto === Object.prototype ||
    proto === null ||
    proto === Array.prototype ||
    proto === Map.prototype ||
    proto === Set.prototype
  );
}

/** Whether `value` holds a placeholder anywhere in its containers. */
export function holdsWorldRef(value: unknown): boolean {
  return holds(value, (v) => v instanceof WorldRef, new Set());
}

function holds(value: unknown, found: (v: unknown) => boolean, seen: Set<object>): boolean {
  if (found(value)) return true;
  if (typeof value !== "object" || value === null || seen.has(value) || !isContainer(value)) {
    return false;
  }
  seen.add(value);
  const at = (v: unknown) => holds(v, found, seen);
  if (value instanceof Map) return [...value].some(([k, v]) => at(k) || at(v));
  return (value instanceof Set ? [...value] : Object.values(value)).some(at);
}

/** Turns each placeholder into what it stands for; `DROP` leaves the element out. */
type Resolve = (ref: WorldRef) => unknown;
const DROP = Symbol("drop");
/** What `swap` answers for a value it leaves as it is. */
const KEEP = Symbol("keep");
type Swap = (value: unknown) => unknown;

/**
 * `value` with each placeholder replaced by `resolve`'s answer: in place
 * when `inPlace` (a world's own copy), else in new containers wherever a
 * placeholder is (a generated value fast-check may hand out again).
 */
function replaceRefs(value: unknown, swap: Swap, inPlace: boolean, seen: Map<object, unknown>) {
  const swapped = swap(value);
  if (swapped !== KEEP) return swapped;
  if (typeof value !== "object" || value === null || !isContainer(value)) return value;
  if (seen.has(value)) return seen.get(value);
  const at = (v: unknown) => replaceRefs(v, swap, inPlace, seen);
  if (value instanceof Map) {
    const out = inPlace ? value : new Map<unknown, unknown>();
    seen.set(value, out);
    const entries = [...value].map(([k, v]) => [at(k), at(v)] as const);
    out.clear();
    for (const [k, v] of entries) if (k !== DROP && v !== DROP) out.set(k, v);
    return out;
  }
  if (value instanceof Set) {
    const out = inPlace ? value : new Set<unknown>();
    seen.set(value, out);
    const items = [...value].map(at);
    out.clear();
    for (const v of items) if (v !== DROP) out.add(v);
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = inPlace ? value : [];
    seen.set(value, out);
    const items = value.map(at).filter((v) => v !== DROP);
    out.length = 0;
    out.push(...items);
    return out;
  }
  const out = inPlace ? value : (Object.create(Object.getPrototypeOf(value)) as object);
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) {
    const now = at(v);
    if (now === DROP) Reflect.deleteProperty(out, k);
    else Reflect.set(out, k, now);
  }
  return out;
}

function superclassesOf(name: string, model: WorldModel): string[] {
  const out: string[] = [];
  for (let c = model.classes.find((x) => x.name === name); c && !out.includes(c.name); ) {
    out.push(c.name);
    const parent = c.definition.superclass;
    c = parent === null ? undefined : model.classes.find((x) => x.name === parent);
  }
  return out;
}

/**
 * `value` with each placeholder pinned to one instance of a world whose
 * instances are of `classNames`: `WorldRef(j)` for the j-th instance, the
 * element left out where the world has no instance of the class asked for.
 * New containers where pinned: the generated value is left as it was.
 */
export function pinWorldRefs(
  value: unknown,
  classNames: readonly string[],
  model: WorldModel,
): unknown {
  const chains = classNames.map((name) => superclassesOf(name, model));
  const resolve: Resolve = (ref) => {
    if (ref.className !== undefined && !model.classes.some((c) => c.name === ref.className)) {
      const names = model.classes.map((c) => c.name);
      throw new InvalidOptionError(
        `worldInstance(${JSON.stringify(ref.className)}): not a class of the world (its classes: ${names.join(", ")})`,
        { call: "worldInstance", className: ref.className, known: names },
      );
    }
    const candidates = chains.flatMap((chain, j) =>
      ref.className === undefined || chain.includes(ref.className) ? [j] : [],
    );
    if (candidates.length === 0) return DROP;
    return new WorldRef(candidates[ref.index % candidates.length]!, ref.className);
  };
  const out = holdsWorldRef(value)
    ? replaceRefs(value, swapRefs(resolve), false, new Map())
    : value;
  return out === DROP ? undefined : out;
}

/** Puts the live instances in place of the placeholders of a world's own copy of a value. */
export function placeWorldRefs(
  value: unknown,
  instances: readonly object[],
  seen: Map<object, unknown>,
  /** Only those `instances` (built so far): a placeholder past them is left out. */
  strict = false,
): unknown {
  const resolve: Resolve = (ref) =>
    instances.length === 0 || (strict && ref.index >= instances.length)
      ? DROP
      : instances[ref.index % instances.length];
  const out = replaceRefs(value, swapRefs(resolve), true, seen);
  return out === DROP ? undefined : out;
}

function swapRefs(resolve: Resolve): Swap {
  return (v) => (v instanceof WorldRef ? resolve(v) : KEEP);
}

/**
 * A live value as its spec writes it, for printing: each of the world's
 * instances inside its containers (new ones) as `→#j`, so that a world
 * whose arrays hold instances prints as its spec does.
 */
export function asWorldRefs(value: unknown, index: ReadonlyMap<object, number>): unknown {
  const swap: Swap = (v) => {
    const j = typeof v === "object" && v !== null ? index.get(v) : undefined;
    return j === undefined ? KEEP : new WorldRef(j);
  };
  const isInstance = (v: unknown) => typeof v === "object" && v !== null && index.has(v);
  if (isInstance(value) || !holds(value, isInstance, new Set())) return value;
  return replaceRefs(value, swap, false, new Map());
}
