/**
 * The bounded walk the removed-class-reference rule takes into what a
 * field, a static or a binding holds: arrays, Maps (keys and values), Sets
 * and plain objects (prototype `Object.prototype` or null), a few levels
 * down. An AST node's `children` Map holding a `Neg`, a static `byKind` Map
 * keyed by the class: one level of fields and array elements missed them,
 * and the removal committed with the reference in place (review advZ13).
 *
 * Bounded, because it runs before the commit of every update that removes a
 * class, over every surviving object: at most DEPTH containers deep and
 * ENTRIES entries read in all (a few milliseconds), each container read
 * once (one shared by a million objects costs one read). Instances of
 * classes are not entered: a managed one is a survivor checked for itself,
 * and anything else's state is its own business. Nor are proxies and other
 * exotic objects whose reading throws: best effort, not a heap walk — the
 * live objects of a removed class are counted by the finder
 * (migration/removedClassInstances.ts), so no instance escapes through a
 * bound; a reference to the class itself held past it does.
 */

import { isMap, isSet } from "../valueKinds.js";

export interface Reference {
  readonly removedClass: string;
  /** How the value refers to it: "is the class itself", "is an instance of X", … */
  readonly how: string;
}

export interface ContainedReference extends Reference {
  /** Where, as an expression below the holder's name: `children.get(1)`, `byKind.keys()[0]`. */
  readonly path: string;
}

/** Containers below the field read at most: a field's Map of arrays of plain objects is three. */
const DEPTH = 4;
/** Entries read in all, per validation: at ~100 ns each, a few milliseconds. */
const ENTRIES = 50_000;

export interface ContainerWalk {
  /** The references inside `value`, if it is a container (not `value` itself), `depth` levels below a field. */
  inside(value: unknown, path: string, depth?: number): ContainedReference[];
}

export function containerWalk(find: (value: unknown) => Reference | undefined): ContainerWalk {
  // A container met again shallower is read again: met first at the bound, it was cut short.
  const seen = new Map<object, number>();
  let left = ENTRIES;
  const visit = (value: unknown, path: string, depth: number, out: ContainedReference[]) => {
    if (depth >= DEPTH || left <= 0 || typeof value !== "object" || value === null) return;
    const before = seen.get(value);
    if (before !== undefined && before <= depth) return;
    seen.set(value, depth);
    try {
      for (const [at, entry] of entriesOf(value, path)) {
        if (left-- <= 0) return;
        const found = find(entry);
        if (found !== undefined) out.push({ ...found, path: at });
        visit(entry, at, depth + 1, out);
      }
    } catch {
      // A proxy or an exotic object: not searched.
    }
  };
  return {
    inside(value, path, depth = 0) {
      const out: ContainedReference[] = [];
      visit(value, path, depth, out);
      return out;
    },
  };
}

const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;

/** The entries of a container with their paths; none for anything else. */
function* entriesOf(value: object, path: string): Generator<readonly [string, unknown]> {
  if (Array.isArray(value)) {
    const elements: readonly unknown[] = value;
    for (let i = 0; i < elements.length; i++) yield [`${path}[${i}]`, elements[i]];
  } else if (isMap(value)) {
    let i = 0;
    for (const [key, entry] of mapEntries.call(value as Map<unknown, unknown>)) {
      yield [`${path}.keys()[${i++}]`, key];
      yield [`${path}.get(${keyText(key)})`, entry];
    }
  } else if (isSet(value)) {
    let i = 0;
    for (const entry of setValues.call(value as Set<unknown>))
      yield [`${path}.values()[${i++}]`, entry];
  } else if (isPlain(value)) {
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key !== "string") continue;
      const d = Reflect.getOwnPropertyDescriptor(value, key);
      if (d === undefined || !d.enumerable || !("value" in d)) continue;
      yield [IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`, d.value];
    }
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function isPlain(value: object): boolean {
  const prototype = Reflect.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}

/** A Map key as the path shows it: a primitive as written, an object or a function by its kind. */
function keyText(key: unknown): string {
  if (typeof key === "string") return JSON.stringify(key);
  if (typeof key === "function") return key.name !== "" ? String(key.name) : "(a function)";
  if (typeof key === "object" && key !== null) return "(an object)";
  return typeof key === "bigint" ? `${key}n` : String(key);
}
