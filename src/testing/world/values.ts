/**
 * Field values of generated instances: declared per field or per class,
 * else inferred from what a fresh instance holds (a string field gets
 * strings, a number field integers, …); fields with no telling default get
 * primitives or references to other instances.
 */
import fc from "fast-check";
import { InvalidOptionError } from "../../errors.js";
import { meantKeyAmong } from "../../unknownKeys.js";
import { edgeMakersOf, edgesOfSample, PRIMITIVE_EDGES, withEdges } from "./edges.js";
import type { ClassValues, InstanceOptions, ValueSpec, WorldClass, WorldModel } from "./types.js";

/** Primitive values for fields whose kind is unknown, edges (0, "", null, undefined…) mixed in. */
export const primitiveValues: fc.Arbitrary<unknown> = withEdges(
  fc.oneof(
    fc.integer({ min: -100, max: 100 }),
    fc.string({ maxLength: 6 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
  ),
  PRIMITIVE_EDGES,
);

const BOUND = 1000;

/**
 * Values like `sample` (a field's value in a fresh instance): strings for a
 * string, integers for an integer, and so on, with the kind's edge values
 * mixed in (see edges.ts); undefined when the sample does not tell (null,
 * undefined, objects other than arrays).
 */
export function inferredValues(sample: unknown): fc.Arbitrary<unknown> | undefined {
  const values = valuesLike(sample);
  return values && withEdges(values, edgesOfSample(sample, BOUND));
}

function valuesLike(sample: unknown): fc.Arbitrary<unknown> | undefined {
  switch (typeof sample) {
    case "string":
      return fc.string({ maxLength: 8 });
    case "number":
      return Number.isInteger(sample)
        ? fc.integer({ min: -BOUND, max: BOUND })
        : fc.double({ min: -BOUND, max: BOUND });
    case "boolean":
      return fc.boolean();
    case "bigint":
      return fc.bigInt({ min: -BigInt(BOUND), max: BigInt(BOUND) });
    case "object":
      return Array.isArray(sample)
        ? fc.array(fc.oneof(fc.integer({ min: -100, max: 100 }), fc.string({ maxLength: 4 })), {
            maxLength: 4,
          })
        : undefined;
    default:
      return undefined;
  }
}

function ancestorsOf(cls: WorldClass, model: WorldModel): WorldClass[] {
  const out: WorldClass[] = [];
  const seen = new Set<string>();
  for (let c: WorldClass | undefined = cls; c && !seen.has(c.name); ) {
    seen.add(c.name);
    out.push(c);
    const parent: string | null = c.definition.superclass;
    c = parent === null ? undefined : model.classes.find((x) => x.name === parent);
  }
  return out;
}

function isArbitrary(value: unknown): value is fc.Arbitrary<unknown> {
  return value instanceof fc.Arbitrary;
}

/** The fields a class's `values` entry may name: its own, inherited, and its subclasses' (the entry serves them too). */
function fieldsServedBy(name: string, model: WorldModel): string[] {
  const served = new Set<string>();
  for (const cls of model.classes) {
    if (ancestorsOf(cls, model).some((c) => c.name === name)) {
      for (const field of cls.fields) served.add(field);
    }
  }
  return [...served];
}

function didYouMean(key: string, known: readonly string[]): string {
  const meant = meantKeyAmong(key, known);
  return meant === undefined ? "" : `; did you mean ${meant}?`;
}

/**
 * Refuses `values` naming a class the world lacks or a field no class it
 * serves has, and an entry that is not an arbitrary: such an entry was
 * skipped, and the check ran on default-generated values instead.
 */
export function checkValuesOption(values: unknown, model: WorldModel, call: string): void {
  if (values === undefined) return;
  if (typeof values !== "object" || values === null || isArbitrary(values)) {
    throw new InvalidOptionError(
      `${call}: values must be a record of field arbitraries by class name — \`values: { ${model.classes[0]?.name ?? "Person"}: { name: fc.string() } }\``,
      { call, option: "values" },
    );
  }
  const names = model.classes.map((c) => c.name);
  for (const [name, entry] of Object.entries(values)) {
    if (!names.includes(name)) {
      throw new InvalidOptionError(
        `${call}: values names the class ${JSON.stringify(name)}, not one of the world (its classes: ${names.join(", ")})${didYouMean(name, names)}`,
        { call, option: "values", className: name, known: names },
      );
    }
    if (entry === undefined || isArbitrary(entry)) continue;
    if (typeof entry !== "object" || entry === null) {
      throw new InvalidOptionError(
        `${call}: values.${name} must be an arbitrary of its records or a record of field arbitraries, not ${entry === null ? "null" : typeof entry}`,
        { call, option: "values", className: name },
      );
    }
    const fields = fieldsServedBy(name, model);
    for (const [field, arb] of Object.entries(entry)) {
      if (!fields.includes(field)) {
        throw new InvalidOptionError(
          `${call}: values.${name} names the field ${JSON.stringify(field)}, which ${name} does not have (its fields: ${fields.join(", ") || "none"})${didYouMean(field, fields)}`,
          { call, option: "values", className: name, field, known: fields },
        );
      }
      // Duck-typed: an arbitrary of another copy of fast-check generates all the same.
      if (
        arb !== undefined &&
        typeof (arb as { generate?: unknown } | null)?.generate !== "function"
      ) {
        throw new InvalidOptionError(
          `${call}: values.${name}.${field} must be a fast-check arbitrary (fc.constant(…) for one value), not ${arb === null ? "null" : typeof arb}`,
          { call, option: "values", className: name, field },
        );
      }
    }
  }
}

/** The arbitrary of one class's field record, as value specs. */
export function fieldsArbitrary(
  cls: WorldClass,
  model: WorldModel,
  options: InstanceOptions,
  refs: fc.Arbitrary<ValueSpec> | undefined,
): fc.Arbitrary<Record<string, ValueSpec>> {
  const values = (options.values ?? {}) as Readonly<Record<string, ClassValues | undefined>>;
  const chain = ancestorsOf(cls, model);
  // A whole-record arbitrary of the nearest class that has one.
  const recordArb = chain.map((c) => values[c.name]).find(isArbitrary) as
    | fc.Arbitrary<Partial<Record<string, unknown>>>
    | undefined;
  const perField: Record<string, fc.Arbitrary<ValueSpec>> = {};
  for (const field of cls.fields) {
    let declared: fc.Arbitrary<unknown> | undefined;
    for (const c of chain) {
      const v = values[c.name];
      if (v !== undefined && !isArbitrary(v)) {
        const arb = (v as Readonly<Record<string, fc.Arbitrary<unknown> | undefined>>)[field];
        if (arb !== undefined) {
          declared = arb;
          break;
        }
      }
    }
    if (declared) {
      perField[field] = withEdges(declared, edgeMakersOf(declared)).map((value) => ({ value }));
      continue;
    }
    const inferred = inferredValues(cls.samples?.[field]);
    const plain = (inferred ?? primitiveValues).map((value): ValueSpec => ({ value }));
    perField[field] =
      inferred === undefined && refs
        ? fc.oneof(
            { withCrossShrink: true },
            { arbitrary: plain, weight: 2 },
            { arbitrary: refs, weight: 1 },
          )
        : plain;
  }
  const fieldsArb = fc.record(perField);
  if (!recordArb) return fieldsArb;
  const records = withEdges(recordArb, edgeMakersOf(recordArb));
  return fc.tuple(fieldsArb, records).map(([generated, given]) => {
    const out = { ...generated };
    for (const field of cls.fields) {
      if (Object.hasOwn(given, field)) out[field] = { value: given[field] };
    }
    return out;
  });
}
