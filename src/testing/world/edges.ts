/**
 * Edge values, mixed in on purpose. fast-check biases a lone `fc.integer`
 * towards 0 and its bounds, but that bias fades with depth: inside a world
 * (array → oneof → record of fields) a field drawn from
 * `fc.integer({ min: 0, max: 360 })` is 0 in few runs, and a migrator that
 * divides by it passes. So every field's arbitrary is mixed with its edge
 * values — 0, -0, bounds, NaN where the type allows, "", empty arrays, and
 * for declared arbitraries the value they shrink to and the extremes they
 * produce — each drawn directly, whatever the depth.
 */
import fc from "fast-check";

/** How often a field takes one of its edge values rather than a generated one. */
const EDGE_WEIGHT = 1;
const GENERATED_WEIGHT = 3;

/** Marks a value this arbitrary picked from the edges (it has no context of the base arbitrary). */
const PICKED = Symbol("edge");

/**
 * One of `edges`, shrinking as a value of `base` would: through `base`'s own
 * shrinker when it can shrink the edge without context (integers, strings,
 * arrays…), so -3 from `fc.integer({ min: -3, max: 120 })` still shrinks to
 * -1 when -1 fails too.
 */
class EdgeArbitrary<T> extends fc.Arbitrary<T> {
  constructor(
    readonly base: fc.Arbitrary<T>,
    readonly edges: readonly T[],
  ) {
    super();
  }
  generate(mrng: fc.Random): fc.Value<T> {
    const edge = this.edges[mrng.nextInt(0, this.edges.length - 1)]!;
    return new fc.Value(edge, PICKED);
  }
  canShrinkWithoutContext(value: unknown): value is T {
    return this.base.canShrinkWithoutContext(value);
  }
  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    if (context !== PICKED) return this.base.shrink(value, context);
    return this.base.canShrinkWithoutContext(value)
      ? this.base.shrink(value, undefined)
      : fc.Stream.nil();
  }
}

/** `arbitrary`, or one of `edges` a quarter of the time. */
export function withEdges<T>(arbitrary: fc.Arbitrary<T>, edges: readonly T[]): fc.Arbitrary<T> {
  if (edges.length === 0) return arbitrary;
  return fc.oneof(
    { arbitrary, weight: GENERATED_WEIGHT },
    { arbitrary: new EdgeArbitrary(arbitrary, edges), weight: EDGE_WEIGHT },
  );
}

/** The edge values of the kind of value `sample` is (a field's initial value), within the kit's inferred ranges. */
export function edgesOfSample(sample: unknown, bound: number): unknown[] {
  switch (typeof sample) {
    case "string":
      return ["", " "];
    case "number":
      return Number.isInteger(sample)
        ? [0, -0, 1, -1, bound, -bound]
        : [0, -0, Number.NaN, bound, -bound, Number.MIN_VALUE];
    case "bigint":
      return [0n, 1n, -1n, BigInt(bound), -BigInt(bound)];
    case "object":
      return Array.isArray(sample) ? [[]] : [];
    default:
      return [];
  }
}

/** Edges of values whose kind is unknown. */
export const PRIMITIVE_EDGES: readonly unknown[] = [0, -0, "", null, undefined];

/**
 * The edge values of a declared arbitrary, found through its own behaviour so
 * they stay within its domain: the value it shrinks to (0 for
 * `fc.integer({ min: 0, max: 360 })`, "" for strings, the lower bound of a
 * range without 0), and the smallest and largest numbers among a few
 * samples (fast-check's bias puts the bounds there). Deterministic.
 */
export function edgesOfArbitrary<T>(arbitrary: fc.Arbitrary<T>): T[] {
  const edges: T[] = [];
  const add = (value: T) => {
    if (!edges.some((e) => Object.is(e, value) || fc.stringify(e) === fc.stringify(value))) {
      edges.push(value);
    }
  };
  try {
    const details = fc.check(
      fc.property(arbitrary, () => false),
      { seed: 0, numRuns: 1 },
    );
    if (details.counterexample) add(details.counterexample[0] as T);
    const samples = fc.sample(arbitrary, { seed: 0, numRuns: 50 });
    const numbers = samples.filter((v) => typeof v === "number" || typeof v === "bigint");
    if (numbers.length > 0) {
      const order = (a: T, b: T) => ((a as number | bigint) < (b as number | bigint) ? -1 : 1);
      const sorted = [...numbers].sort(order);
      add(sorted[0]!);
      add(sorted[sorted.length - 1]!);
    }
  } catch {
    // An arbitrary that cannot be sampled on its own (it throws outside a run) gets no edges.
  }
  return edges;
}
