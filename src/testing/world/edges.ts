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

/** Marks a value this arbitrary picked from constant edges (it has no context of the base arbitrary). */
const PICKED = Symbol("edge");

/**
 * Makes one edge value, afresh at every call: an edge drawn for two
 * instances, or in two runs, is two objects — as the arbitrary it stands
 * for would give — never one object the migrator could change for both.
 */
export type EdgeMaker<T> = () => fc.Value<T>;

/** An edge that is `make()`'s value, made anew each time (`() => []`), or a primitive as it is. */
export function edgeOf<T>(make: () => T): EdgeMaker<T> {
  return () => new fc.Value(make(), PICKED);
}

/** Edges that are primitives. */
export function primitiveEdges<T>(values: readonly T[]): EdgeMaker<T>[] {
  return values.map((v) => edgeOf(() => v));
}

/**
 * One of `edges`, shrinking as a value of `base` would: with the context an
 * edge was generated with, else through `base`'s own shrinker when it can
 * shrink the edge without context (integers, strings, arrays…), so -3 from
 * `fc.integer({ min: -3, max: 120 })` still shrinks to -1 when -1 fails too.
 */
class EdgeArbitrary<T> extends fc.Arbitrary<T> {
  constructor(
    readonly base: fc.Arbitrary<T>,
    readonly edges: readonly EdgeMaker<T>[],
  ) {
    super();
  }
  generate(mrng: fc.Random): fc.Value<T> {
    return this.edges[mrng.nextInt(0, this.edges.length - 1)]!();
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
export function withEdges<T>(
  arbitrary: fc.Arbitrary<T>,
  edges: readonly EdgeMaker<T>[],
): fc.Arbitrary<T> {
  if (edges.length === 0) return arbitrary;
  return fc.oneof(
    { arbitrary, weight: GENERATED_WEIGHT },
    { arbitrary: new EdgeArbitrary(arbitrary, edges), weight: EDGE_WEIGHT },
  );
}

/** What fast-check hands an arbitrary for one run: its random state and bias. */
interface Draw {
  readonly random: fc.Random;
  readonly bias: number | undefined;
}

/** The draws of fast-check's own runs (as `fc.sample` makes them), kept to generate from again. */
class DrawSource extends fc.Arbitrary<Draw> {
  generate(mrng: fc.Random, bias: number | undefined): fc.Value<Draw> {
    return new fc.Value({ random: mrng.clone(), bias }, undefined);
  }
  canShrinkWithoutContext(_value: unknown): _value is Draw {
    return false;
  }
  shrink(): fc.Stream<fc.Value<Draw>> {
    return fc.Stream.nil();
  }
}

/** How many samples the extremes are taken from, and how far an edge is shrunk at most. */
const SAMPLES = 50;
const MAX_SHRINK_STEPS = 200;

/**
 * Generates with `arbitrary` from a saved draw, then follows the first
 * shrink `steps` times (as fast-check shrinks a property that always
 * fails): the same value each call, as a new object, with its context.
 */
function regenerate<T>(arbitrary: fc.Arbitrary<T>, draw: Draw, steps: number): fc.Value<T> {
  let value = arbitrary.generate(draw.random.clone(), draw.bias);
  for (let i = 0; i < steps; i++) {
    const [next] = arbitrary.shrink(value.value_, value.context).take(1);
    if (next === undefined) break;
    value = next;
  }
  return value;
}

/** How many first shrinks lead from `value` to where shrinking stops. */
function shrinkSteps<T>(arbitrary: fc.Arbitrary<T>, value: fc.Value<T>): number {
  let steps = 0;
  for (let v = value; steps < MAX_SHRINK_STEPS; steps++) {
    const [next] = arbitrary.shrink(v.value_, v.context).take(1);
    if (next === undefined) break;
    v = next;
  }
  return steps;
}

interface Sample<T> {
  readonly draw: Draw;
  readonly value: T;
}

function samplesOf<T>(arbitrary: fc.Arbitrary<T>): Sample<T>[] {
  return fc
    .sample(new DrawSource(), { seed: 0, numRuns: SAMPLES })
    .map((draw) => ({ draw, value: arbitrary.generate(draw.random.clone(), draw.bias).value_ }));
}

/**
 * The edge values of a declared arbitrary, found through its own behaviour so
 * they stay within its domain: the value it shrinks to (0 for
 * `fc.integer({ min: 0, max: 360 })`, "" for strings, the lower bound of a
 * range without 0), and the smallest and largest numbers among a few
 * samples (fast-check's bias puts the bounds there). Each is made again by
 * the arbitrary at every draw — from the random state it came from — so it
 * is a new object every time, and shrinks with the arbitrary's own context.
 * Deterministic.
 */
export function edgeMakersOf<T>(arbitrary: fc.Arbitrary<T>): EdgeMaker<T>[] {
  const edges: EdgeMaker<T>[] = [];
  const values: T[] = [];
  const add = (sample: Sample<T>, steps: number) => {
    const make = () => regenerate(arbitrary, sample.draw, steps);
    const value = make().value_;
    if (values.some((e) => Object.is(e, value) || fc.stringify(e) === fc.stringify(value))) return;
    values.push(value);
    edges.push(make);
  };
  try {
    const samples = samplesOf(arbitrary);
    const first = samples[0]!;
    add(first, shrinkSteps(arbitrary, regenerate(arbitrary, first.draw, 0)));
    const numbers = samples.filter(
      (s) => typeof s.value === "number" || typeof s.value === "bigint",
    );
    if (numbers.length > 0) {
      const order = (a: Sample<T>, b: Sample<T>) =>
        (a.value as number | bigint) < (b.value as number | bigint) ? -1 : 1;
      const sorted = [...numbers].sort(order);
      add(sorted[0]!, 0);
      add(sorted[sorted.length - 1]!, 0);
    }
  } catch {
    // An arbitrary that cannot be sampled on its own (it throws outside a run) gets no edges.
  }
  return edges;
}

/** The edge values of a declared arbitrary (see `edgeMakersOf`), each made once. */
export function edgesOfArbitrary<T>(arbitrary: fc.Arbitrary<T>): T[] {
  return edgeMakersOf(arbitrary).map((make) => make().value);
}
