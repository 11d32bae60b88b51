/**
 * Field values inferred from what a fresh instance holds: a field keeps its
 * kind — a string field gets strings, an integer field integers, a Date
 * valid Dates, a Map Maps of the kinds of its entries, a plain object
 * objects of its shape — with the kind's edge values mixed in (see
 * edges.ts). Values a program could never put in a field (`owner: 0` where
 * the constructor makes a string) fail migrators that are correct, and a
 * check that reports them teaches its authors to ignore it.
 */
import fc from "fast-check";
import { builtinState } from "../builtins.js";
import { handleOfPrototype } from "../../mop/classHandle.js";
import { copyValue } from "./copy.js";
import type { EdgeMaker } from "./edges.js";
import { edgeOf, primitiveEdges, withEdges } from "./edges.js";

/** Placeholders for the world's instances (see worldRefs.ts), or none when references are off. */
type Refs = fc.Arbitrary<unknown> | undefined;

const BOUND = 1000;
/** How long an inferred string may be: past the 8 or 12 characters a careless migrator assumes. */
const MAX_STRING = 40;

/**
 * Strings of any Unicode characters (graphemes: emoji, accents, scripts
 * beyond Latin-1), up to `maxLength` of them: a migrator that calls
 * `btoa(old.name)` or truncates at 12 characters meets what a program holds.
 */
function unicodeStrings(maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: "grapheme", maxLength });
}
/** How deep nested objects and collections are inferred; deeper, their values are primitives. */
const MAX_DEPTH = 3;
const MAX_ITEMS = 4;

/** Primitive values for fields whose kind is unknown, edges (0, "", null, undefined…) mixed in. */
export const primitiveValues: fc.Arbitrary<unknown> = withEdges(
  fc.oneof(
    fc.integer({ min: -100, max: 100 }),
    unicodeStrings(6),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
  ),
  primitiveEdges([0, -0, "", null, undefined]),
);

/** Elements of a collection whose sample is empty: small integers and strings. */
const mixedElements: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -100, max: 100 }),
  unicodeStrings(4),
);

function scalarLike(sample: unknown): fc.Arbitrary<unknown> | undefined {
  switch (typeof sample) {
    case "string":
      return unicodeStrings(MAX_STRING);
    case "number":
      return Number.isInteger(sample)
        ? fc.integer({ min: -BOUND, max: BOUND })
        : fc.double({ min: -BOUND, max: BOUND });
    case "boolean":
      return fc.boolean();
    case "bigint":
      return fc.bigInt({ min: -BigInt(BOUND), max: BigInt(BOUND) });
    default:
      return undefined;
  }
}

/**
 * Values like a value nested in the sample: inferred from it, primitives
 * for null or undefined, fresh copies of it below MAX_DEPTH; undefined when
 * it cannot be generated (an instance of a class), which leaves the whole
 * field as the constructor makes it.
 */
function nestedLike(sample: unknown, depth: number, refs: Refs): fc.Arbitrary<unknown> | undefined {
  if (sample === null || sample === undefined) {
    return refs
      ? fc.oneof({ arbitrary: primitiveValues, weight: 2 }, { arbitrary: refs, weight: 1 })
      : primitiveValues;
  }
  if (isWorldInstance(sample)) return refs;
  if (depth >= MAX_DEPTH) return copiesOf(sample);
  return inferredAt(sample, depth + 1, refs);
}

/** Whether `sample` is an instance of one of the world's classes. */
function isWorldInstance(sample: unknown): boolean {
  if (typeof sample !== "object" || sample === null) return false;
  const proto: unknown = Object.getPrototypeOf(sample);
  return typeof proto === "object" && proto !== null && handleOfPrototype(proto) !== undefined;
}

/**
 * `values` (of a container whose sample is empty), or in one case of three
 * a container of the world's instances made by `holding`: a Bank's
 * `accounts = []` holds Accounts in a program, never integers alone.
 */
function orHolding(
  values: fc.Arbitrary<unknown>,
  refs: Refs,
  ...holding: ((refs: fc.Arbitrary<unknown>) => fc.Arbitrary<unknown>)[]
): fc.Arbitrary<unknown> {
  if (!refs) return values;
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: values, weight: 2 * holding.length },
    ...holding.map((make) => ({ arbitrary: make(refs), weight: 1 })),
  );
}

/** Elements of a collection like its first; small integers and strings when it is empty. */
function elementLike(
  sample: unknown,
  present: boolean,
  depth: number,
  refs: Refs,
): fc.Arbitrary<unknown> | undefined {
  return present ? nestedLike(sample, depth, refs) : mixedElements;
}

/** A fresh copy of `sample` every time, when it is data (see copy.ts); undefined otherwise. */
function copiesOf(sample: unknown): fc.Arbitrary<unknown> | undefined {
  if (typeof sample !== "object" || sample === null) return fc.constant(sample);
  if (copyValue(sample) === sample) return undefined;
  return fc.constant(null).map(() => copyValue(sample));
}

const TYPED_ARRAYS: Readonly<Record<string, () => fc.Arbitrary<unknown>>> = {
  Int8Array: () => fc.int8Array({ maxLength: 8 }),
  Uint8Array: () => fc.uint8Array({ maxLength: 8 }),
  Uint8ClampedArray: () => fc.uint8ClampedArray({ maxLength: 8 }),
  Int16Array: () => fc.int16Array({ maxLength: 8 }),
  Uint16Array: () => fc.uint16Array({ maxLength: 8 }),
  Int32Array: () => fc.int32Array({ maxLength: 8 }),
  Uint32Array: () => fc.uint32Array({ maxLength: 8 }),
  Float32Array: () => fc.float32Array({ maxLength: 8 }),
  Float64Array: () => fc.float64Array({ maxLength: 8 }),
  BigInt64Array: () => fc.bigInt64Array({ maxLength: 8 }),
  BigUint64Array: () => fc.bigUint64Array({ maxLength: 8 }),
};

/** Values like a built-in object: Maps and Sets of its elements' kinds, valid Dates, typed arrays of its type. */
function builtinLike(sample: object, depth: number, refs: Refs): fc.Arbitrary<unknown> | undefined {
  const state = builtinState(sample);
  switch (state?.kind) {
    case "Map": {
      const [first] = state.entries;
      const keys = elementLike(first?.[0], first !== undefined, depth, refs);
      const values = elementLike(first?.[1], first !== undefined, depth, refs);
      if (keys === undefined || values === undefined) return undefined;
      const maps = (k: fc.Arbitrary<unknown>, v: fc.Arbitrary<unknown>) =>
        fc.array(fc.tuple(k, v), { maxLength: MAX_ITEMS }).map((entries) => new Map(entries));
      if (first !== undefined) return maps(keys, values);
      // Instances as values (by name) and as keys (a table about them).
      return orHolding(
        maps(keys, values),
        refs,
        (r) => maps(mixedElements, r),
        (r) => maps(r, mixedElements),
      );
    }
    case "Set": {
      const present = state.values.length > 0;
      const elements = elementLike(state.values[0], present, depth, refs);
      const sets = (e: fc.Arbitrary<unknown>) =>
        fc.array(e, { maxLength: MAX_ITEMS }).map((v) => new Set(v));
      if (elements === undefined) return undefined;
      return present ? sets(elements) : orHolding(sets(elements), refs, sets);
    }
    case "Date":
      return fc.date({ noInvalidDate: true });
    case "TypedArray":
      return TYPED_ARRAYS[state.type]?.() ?? copiesOf(sample);
    case undefined:
      return undefined;
    default:
      return copiesOf(sample);
  }
}

/** Objects of the sample's shape: each own enumerable key with values like its value. */
function shapeLike(sample: object, depth: number, refs: Refs): fc.Arbitrary<unknown> | undefined {
  const proto = Object.getPrototypeOf(sample) as object | null;
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, value] of Object.entries(sample)) {
    const like = nestedLike(value, depth, refs);
    if (like === undefined) return undefined;
    fields[key] = like;
  }
  // fast-check's records may have a null prototype: the sample's prototype it is.
  const ofProto = (record: object) =>
    Object.assign(proto === null ? Object.create(null) : {}, record);
  const shaped = fc.record(fields).map(ofProto);
  if (Object.keys(fields).length > 0) return shaped;
  // An empty object is a table to be filled: `byName = {}` holds instances by name.
  return orHolding(shaped, refs, (r) =>
    fc.dictionary(unicodeStrings(4), r, { maxKeys: MAX_ITEMS }).map(ofProto),
  );
}

function objectLike(sample: object, depth: number, refs: Refs): fc.Arbitrary<unknown> | undefined {
  if (Array.isArray(sample)) {
    const elements = elementLike(sample[0], sample.length > 0, depth, refs);
    const arrays = (e: fc.Arbitrary<unknown>) => fc.array(e, { maxLength: MAX_ITEMS });
    if (elements === undefined) return undefined;
    return sample.length > 0 ? arrays(elements) : orHolding(arrays(elements), refs, arrays);
  }
  const proto: unknown = Object.getPrototypeOf(sample);
  if (proto === Object.prototype || proto === null) return shapeLike(sample, depth, refs);
  return builtinLike(sample, depth, refs);
}

/** The edge values of the kind `sample` is, within the kit's inferred ranges. */
function edgesLike(sample: unknown): EdgeMaker<unknown>[] {
  switch (typeof sample) {
    case "string":
      // Empty, blank, beyond ASCII and beyond Latin-1 (btoa), and as long as they come.
      return primitiveEdges(["", " ", "é", "\u{1F600}", "x".repeat(MAX_STRING)]);
    case "number":
      return primitiveEdges(
        Number.isInteger(sample)
          ? [0, -0, 1, -1, BOUND, -BOUND]
          : [0, -0, Number.NaN, BOUND, -BOUND, Number.MIN_VALUE],
      );
    case "bigint":
      return primitiveEdges([0n, 1n, -1n, BigInt(BOUND), -BigInt(BOUND)]);
    case "object": {
      if (Array.isArray(sample)) return [edgeOf(() => [])];
      const kind = sample === null ? undefined : builtinState(sample)?.kind;
      if (kind === "Map") return [edgeOf(() => new Map())];
      if (kind === "Set") return [edgeOf(() => new Set())];
      if (kind === "Date") return [edgeOf(() => new Date(0)), edgeOf(() => new Date(-1))];
      return [];
    }
    default:
      return [];
  }
}

function inferredAt(sample: unknown, depth: number, refs: Refs): fc.Arbitrary<unknown> | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const values =
    typeof sample === "object" && sample !== null
      ? objectLike(sample, depth, refs)
      : scalarLike(sample);
  return values && withEdges(values, edgesLike(sample));
}

/**
 * Values like `sample` (a field's value in a fresh instance), with the
 * kind's edge values mixed in; undefined when the sample does not tell
 * (null, undefined, a function, an instance of a class).
 */
export function inferredValues(sample: unknown): fc.Arbitrary<unknown> | undefined {
  return inferredAt(sample, 0, undefined);
}

/**
 * `inferredValues`, where containers may also hold the world's instances
 * (`refs`, placeholders pinned by the population, see worldRefs.ts): an
 * empty array, Set, Map (as keys or values) or object, an element like an
 * instance of the world's classes, a nested value that is null.
 */
export function inferredValuesHolding(
  sample: unknown,
  refs: Refs,
): fc.Arbitrary<unknown> | undefined {
  return inferredAt(sample, 0, refs);
}
