/**
 * Field values of generated instances: declared per field or per class,
 * else inferred from what a fresh instance holds (see inferred.ts); fields
 * whose fresh value is null or undefined get primitives or references to
 * other instances, and fields holding what cannot be generated (an
 * instance of a class, a function) keep what the constructor gives them.
 */
import fc from "fast-check";
import { InvalidOptionError } from "../../errors.js";
import { meantKeyAmong } from "../../unknownKeys.js";
import { handleOfPrototype } from "../../mop/classHandle.js";
import type { ConstructorProbe } from "./constructorArguments.js";
import { edgeMakersOf, withEdges } from "./edges.js";
import { inferredValuesHolding, primitiveValues } from "./inferred.js";
import type {
  ClassValues,
  InstanceOptions,
  InstanceSpec,
  ValueSpec,
  WorldClass,
  WorldModel,
} from "./types.js";
import { WorldRef } from "./worldRefs.js";

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

/**
 * Values of a field nothing was declared for, like its value in a fresh
 * instance; undefined for a field the spec leaves out (it keeps what the
 * constructor gives it).
 */
function inferredFieldValues(
  cls: WorldClass,
  field: string,
  refs: fc.Arbitrary<ValueSpec> | undefined,
): fc.Arbitrary<ValueSpec> | undefined {
  const sample = cls.samples?.[field];
  // The same references, inside the field's containers.
  const nested = refs?.map((v) => new WorldRef("ref" in v ? v.ref : 0));
  const inferred = inferredValuesHolding(sample, nested);
  if (inferred !== undefined) return inferred.map((value): ValueSpec => ({ value }));
  const unknown = cls.samples === undefined || sample === null || sample === undefined;
  if (!unknown) {
    // An instance of one of the world's classes: another instance, or the one the constructor made.
    const instance =
      typeof sample === "object" && handleOfPrototype(Object.getPrototypeOf(sample) ?? {});
    return instance ? refs : undefined;
  }
  const plain = primitiveValues.map((value): ValueSpec => ({ value }));
  if (!refs) return plain;
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: plain, weight: 2 },
    { arbitrary: refs, weight: 1 },
  );
}

/**
 * The entries of an instance of a class extending Map or Set, like a fresh
 * one's (small integers and strings when it starts empty, or in a third of
 * the draws the world's instances as keys or values); undefined for other
 * classes and for those `construct` builds (it makes the whole instance).
 */
function contentsArbitrary(
  cls: WorldClass,
  options: InstanceOptions,
  refs: fc.Arbitrary<ValueSpec> | undefined,
): fc.Arbitrary<Map<unknown, unknown> | Set<unknown>> | undefined {
  if (cls.contents === undefined || options.construct?.[cls.name]) return undefined;
  const nested = refs?.map((v) => new WorldRef("ref" in v ? v.ref : 0));
  return inferredValuesHolding(cls.contents, nested) as
    | fc.Arbitrary<Map<unknown, unknown> | Set<unknown>>
    | undefined;
}

/** Instances of one class, as specs: its field record, and its entries when it extends Map or Set. */
export function instanceSpecArbitrary(
  cls: WorldClass,
  model: WorldModel,
  options: InstanceOptions,
  refs: fc.Arbitrary<ValueSpec> | undefined,
  probe?: ConstructorProbe,
): fc.Arbitrary<InstanceSpec> {
  const fields = fieldsArbitrary(cls, model, options, refs, probe);
  const contents = contentsArbitrary(cls, options, refs);
  if (contents === undefined)
    return fields.map((f): InstanceSpec => ({ className: cls.name, fields: f }));
  return fc
    .tuple(fields, contents)
    .map(([f, c]): InstanceSpec => ({ className: cls.name, fields: f, contents: c }));
}

/** The arbitrary of one class's field record, as value specs. */
export function fieldsArbitrary(
  cls: WorldClass,
  model: WorldModel,
  options: InstanceOptions,
  refs: fc.Arbitrary<ValueSpec> | undefined,
  probe?: ConstructorProbe,
): fc.Arbitrary<Readonly<Record<string, ValueSpec>>> {
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
    const inferred = inferredFieldValues(cls, field, refs);
    if (inferred !== undefined) perField[field] = inferred;
  }
  const fieldsArb = fc.record(perField);
  const accepted = (fields: Readonly<Record<string, ValueSpec>>) =>
    probe ? probe(cls.name, fields) : fields;
  if (!recordArb) return fieldsArb.map(accepted);
  const records = withEdges(recordArb, edgeMakersOf(recordArb));
  return fc.tuple(fieldsArb, records).map(([generated, given]) => {
    const out: Record<string, ValueSpec> = { ...generated };
    for (const field of cls.fields) {
      if (Object.hasOwn(given, field)) out[field] = { value: given[field] };
    }
    return accepted(out);
  });
}
