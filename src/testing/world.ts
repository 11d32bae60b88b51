/**
 * Worlds for testing migrations: the classes a patch applies to, and
 * populations of their instances. A world is generated as plain data (a
 * `WorldSpec`: which instances, of which classes, with which field values,
 * where a value may be a reference to another instance — shared references
 * and cycles included) and built into fresh live objects on demand, so one
 * generated value can be built several times (once per policy, say) and a
 * failing case shrinks and prints as data.
 *
 * The classes come from class specs (defined in a fresh namespace for every
 * world) or from a namespace factory. Field values default to what a fresh
 * instance's initialiser suggests (a string field gets strings, a number
 * field integers, …); fields with no telling default get primitives or
 * references to other instances.
 */
import fc from "fast-check";
import type { ClassDefinition, ClassSpec } from "../mop/classDefinition.js";
import { currentVersion, handleOfPrototype, handleOwner } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import { Namespace } from "../namespace/namespace.js";

// --- Specs -------------------------------------------------------------------

/** A field value of a generated instance: a value, or a reference to instance `ref` of the world. */
export type ValueSpec = { readonly value: unknown } | { readonly ref: number };

export interface InstanceSpec {
  /** The class, by its name in the namespace. */
  readonly className: string;
  /** Every field of the class, inherited first, in constructor order. */
  readonly fields: Readonly<Record<string, ValueSpec>>;
}

/** A population of instances, as data. References index into `instances`. */
export interface WorldSpec {
  readonly instances: readonly InstanceSpec[];
}

// --- Where the classes come from ---------------------------------------------------

/** The classes a patch applies to: class specs, or a factory of fresh namespaces holding them. */
export type WorldSource =
  | {
      /** Defined in this order (superclasses are put first) in a fresh namespace for every world. */
      readonly classes: readonly ClassSpec[];
      /** Names visible to the classes' method and initialiser sources. */
      readonly scope?: Readonly<Record<string, unknown>>;
    }
  | {
      /** Returns a fresh namespace holding the classes (and no instances the check should see). */
      readonly namespace: () => Namespace;
    };

/** Field value arbitraries for one class: one per field, or one for the whole record of fields. */
export type ClassValues<Fields = Record<string, unknown>> =
  | { readonly [F in keyof Fields]?: fc.Arbitrary<Fields[F]> }
  | fc.Arbitrary<Partial<Fields>>;

/** A schema of classes and their fields, as in the typed patch builder: `{ Person: { name: string } }`. */
export type WorldSchema = object;

/** Field value arbitraries by class name; a class's entry also serves its subclasses. */
export type ValuesOption<S extends WorldSchema = Record<string, Record<string, unknown>>> = {
  readonly [C in keyof S]?: ClassValues<S[C]>;
};

export interface InstanceOptions<S extends WorldSchema = Record<string, Record<string, unknown>>> {
  /** Field values by class (default: inferred from each field's initial value, see `inferredValues`). */
  readonly values?: ValuesOption<S>;
  /**
   * How to construct an instance of a class from its field values (default:
   * `new Class(values)` for classes made by metamorph, else `new Class()`
   * followed by assignments).
   */
  readonly construct?: Readonly<Record<string, (fields: Record<string, unknown>) => object>>;
  /** Fewest instances per world (default 0). */
  readonly minInstances?: number;
  /** Most instances per world (default 5). */
  readonly maxInstances?: number;
  /** Whether fields with no declared values may hold references to other instances (default true). */
  readonly references?: boolean;
  /** The classes to instantiate (default: every class). */
  readonly instantiate?: readonly string[];
}

/** What the kit knows of one class of a world source. */
export interface WorldClass {
  readonly name: string;
  readonly definition: ClassDefinition;
  /** Every instance field, inherited first. */
  readonly fields: readonly string[];
  /** Each field's initial value (as far as it can be known without running the program's constructors). */
  readonly samples: Readonly<Record<string, unknown>> | undefined;
}

/** A world source, resolved once: how to make a namespace, and its classes. */
export interface WorldModel {
  readonly make: () => Namespace;
  readonly classes: readonly WorldClass[];
}

/** A built world: a fresh namespace and the live instances of a spec (in spec order). */
export interface LiveWorld {
  readonly spec: WorldSpec;
  readonly namespace: Namespace;
  readonly instances: readonly object[];
}

function hierarchyOrder(specs: readonly ClassSpec[]): ClassSpec[] {
  const byName = new Map(specs.map((s) => [s.name, s] as const));
  const out: ClassSpec[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (spec: ClassSpec) => {
    if (placed.has(spec.name) || visiting.has(spec.name)) return;
    visiting.add(spec.name);
    const parent = spec.superclass ? byName.get(spec.superclass) : undefined;
    if (parent) place(parent);
    visiting.delete(spec.name);
    placed.add(spec.name);
    out.push(spec);
  };
  for (const spec of specs) place(spec);
  return out;
}

let worlds = 0;

function makerOf(source: WorldSource): () => Namespace {
  if ("namespace" in source) {
    if (typeof source.namespace !== "function") {
      throw new TypeError(
        "checkMigration: `namespace` must be a function returning a fresh Namespace",
      );
    }
    return () => {
      const ns = source.namespace();
      if (!(ns instanceof Namespace)) {
        throw new TypeError("checkMigration: the `namespace` factory did not return a Namespace");
      }
      return ns;
    };
  }
  if (!Array.isArray(source.classes)) {
    throw new TypeError("checkMigration: give `classes` (class specs) or `namespace` (a factory)");
  }
  const ordered = hierarchyOrder(source.classes);
  const scope = source.scope ?? {};
  return () => {
    const ns = new Namespace(`world${++worlds}`);
    for (const spec of ordered) ns.defineClass(spec, { scope });
    return ns;
  };
}

/** The class bindings of a namespace, in binding order. */
export function classBindings(ns: Namespace): { name: string; handle: Constructor }[] {
  return Object.values(ns.snapshot.bindings).flatMap((b) =>
    b.kind === "class" ? [{ name: b.name, handle: b.handle }] : [],
  );
}

function fieldChainOf(name: string, defs: ReadonlyMap<string, ClassDefinition>): string[] {
  const chain: ClassDefinition[] = [];
  const seen = new Set<string>();
  for (let d = defs.get(name); d && !seen.has(d.name); ) {
    seen.add(d.name);
    chain.unshift(d);
    d = d.superclass === null ? undefined : defs.get(d.superclass);
  }
  return chain.flatMap((d) => d.fields.map((f) => f.name));
}

/** Evaluates field initialisers on a scratch object, without constructing anything. */
function initialValues(
  name: string,
  defs: ReadonlyMap<string, ClassDefinition>,
): Record<string, unknown> | undefined {
  const scratch: Record<string, unknown> = {};
  const chain: ClassDefinition[] = [];
  for (let d = defs.get(name); d && !chain.includes(d); ) {
    chain.unshift(d);
    d = d.superclass === null ? undefined : defs.get(d.superclass);
  }
  for (const d of chain) {
    for (const f of d.fields) {
      try {
        scratch[f.name] =
          f.initializer === undefined || f.initializer.trim() === ""
            ? undefined
            : new Function(`"use strict"; return (${f.initializer});`).call(scratch);
      } catch {
        scratch[f.name] = undefined;
      }
    }
  }
  return scratch;
}

/**
 * Resolves a world source once: a sample namespace tells the classes, their
 * fields and their defaults. With `construct`, defaults are read from a fresh
 * instance of each class (the sample namespace is thrown away); otherwise
 * the initialisers are evaluated on their own, and nothing is constructed.
 */
export function worldModel(source: WorldSource, construct = true): WorldModel {
  const make = makerOf(source);
  const sample = make();
  const bindings = classBindings(sample);
  const defs = new Map(bindings.map((b) => [b.name, currentVersion(b.handle).definition] as const));
  const classes = bindings.map(({ name, handle }): WorldClass => {
    const definition = defs.get(name)!;
    const fields = fieldChainOf(name, defs);
    let samples: Record<string, unknown> | undefined;
    try {
      if (construct && definition.fieldOrigin === "created") {
        const fresh = new (handle as unknown as new () => Record<string, unknown>)();
        samples = Object.fromEntries(fields.map((f) => [f, fresh[f]]));
      } else samples = initialValues(name, defs);
    } catch {
      samples = undefined;
    }
    return { name, definition, fields, samples };
  });
  return { make, classes };
}

// --- Values ---------------------------------------------------------------------------

/** Primitive values for fields whose kind is unknown. */
export const primitiveValues: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -100, max: 100 }),
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);

/**
 * Values like `sample` (a field's value in a fresh instance): strings for a
 * string, integers for an integer, and so on; undefined when the sample does
 * not tell (null, undefined, objects other than arrays).
 */
export function inferredValues(sample: unknown): fc.Arbitrary<unknown> | undefined {
  switch (typeof sample) {
    case "string":
      return fc.string({ maxLength: 8 });
    case "number":
      return Number.isInteger(sample)
        ? fc.integer({ min: -1000, max: 1000 })
        : fc.double({ min: -1000, max: 1000 });
    case "boolean":
      return fc.boolean();
    case "bigint":
      return fc.bigInt({ min: -1000n, max: 1000n });
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

/** The arbitrary of one class's field record, as value specs. */
function fieldsArbitrary(
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
      perField[field] = declared.map((value) => ({ value }));
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
  return fc.tuple(fieldsArb, recordArb).map(([generated, given]) => {
    const out = { ...generated };
    for (const field of cls.fields) {
      if (Object.hasOwn(given, field)) out[field] = { value: given[field] };
    }
    return out;
  });
}

/** Attaches a readable rendering to a spec, used by fast-check when it prints a counterexample. */
function printable<T extends object>(value: T, render: (v: T) => string): T {
  Object.defineProperty(value, fc.toStringMethod, {
    value: () => render(value),
    enumerable: false,
  });
  return value;
}

/**
 * Populations of instances of the model's classes: subclass instances,
 * shared references and cycles included. Shrinks towards fewer instances,
 * earlier classes and simpler values.
 */
export function worldSpecArbitrary(
  model: WorldModel,
  options: InstanceOptions = {},
): fc.Arbitrary<WorldSpec> {
  const maxInstances = Math.max(0, options.maxInstances ?? 5);
  const minInstances = Math.min(Math.max(0, options.minInstances ?? 0), maxInstances);
  const chosen = options.instantiate
    ? model.classes.filter((c) => options.instantiate!.includes(c.name))
    : model.classes;
  if (chosen.length === 0 || maxInstances === 0) {
    return fc.constant(printable({ instances: [] }, formatWorldSpec));
  }
  const refs =
    options.references === false
      ? undefined
      : fc.nat({ max: maxInstances - 1 }).map((ref): ValueSpec => ({ ref }));
  const perClass = chosen.map((cls) =>
    fieldsArbitrary(cls, model, options, refs).map(
      (fields): InstanceSpec => ({ className: cls.name, fields }),
    ),
  );
  return fc
    .array(fc.oneof({ withCrossShrink: true }, ...perClass), {
      minLength: minInstances,
      maxLength: maxInstances,
    })
    .map((instances) => {
      // References point at an existing instance (or at nothing, in an empty world).
      const fixed = instances.map((i) => ({
        className: i.className,
        fields: Object.fromEntries(
          Object.entries(i.fields).map(([k, v]) => [
            k,
            "ref" in v ? { ref: v.ref % instances.length } : v,
          ]),
        ),
      }));
      return printable({ instances: fixed }, formatWorldSpec);
    });
}

/** A copy of plain data (arrays and plain objects, cycles kept); anything else is shared. */
export function clonePlain(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    value.forEach((v, i) => {
      out[i] = clonePlain(v, seen);
    });
    out.length = value.length;
    return out;
  }
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = Object.create(proto);
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) out[k] = clonePlain(v, seen);
  return out;
}

/**
 * Builds a spec into live objects in a fresh namespace (or in `namespace`).
 * Plain data values are copied, so one spec builds independent worlds.
 */
export function buildWorld(
  model: WorldModel,
  spec: WorldSpec,
  options: Pick<InstanceOptions, "construct"> & { readonly namespace?: Namespace } = {},
): LiveWorld {
  const namespace = options.namespace ?? model.make();
  const byName = new Map(model.classes.map((c) => [c.name, c] as const));
  const instances = spec.instances.map((instance) => {
    const cls = byName.get(instance.className);
    if (!cls) {
      throw new TypeError(`world spec: there is no class ${instance.className} in the world`);
    }
    const handle = namespace.classNamed(cls.name) as unknown as new (
      init?: Record<string, unknown>,
    ) => Record<string, unknown>;
    const values: Record<string, unknown> = {};
    for (const field of cls.fields) {
      const v = instance.fields[field];
      values[field] = v && "value" in v ? clonePlain(v.value) : undefined;
    }
    const construct = options.construct?.[cls.name];
    if (construct) return construct(values) as Record<string, unknown>;
    if (cls.definition.fieldOrigin === "created") return new handle(values);
    const object = new handle();
    Object.assign(object, values);
    return object;
  });
  spec.instances.forEach((instance, i) => {
    for (const [field, v] of Object.entries(instance.fields)) {
      if ("ref" in v) instances[i]![field] = instances[v.ref % instances.length];
    }
  });
  return printable({ spec, namespace, instances }, (w) => formatWorldSpec(w.spec));
}

/** Live worlds (fresh namespace and instances for every generated value). */
export function worldArbitrary(
  source: WorldSource,
  options: InstanceOptions = {},
): fc.Arbitrary<LiveWorld> {
  const model = worldModel(source);
  return worldSpecArbitrary(model, options).map((spec) => buildWorld(model, spec, options));
}

/**
 * Instances of one class: a live class (a class handle, or any class of a
 * namespace) or a class spec / definition (made once, in a namespace of its
 * own; give `classes` when it has a superclass). Every value is a fresh
 * instance; field values as for worlds (no references).
 */
export function instanceArbitrary<T extends object>(
  cls: Constructor<T>,
  options?: Omit<
    InstanceOptions<{ [k: string]: T }>,
    "minInstances" | "maxInstances" | "instantiate"
  >,
): fc.Arbitrary<T>;
export function instanceArbitrary(
  spec: ClassSpec,
  options?: Omit<InstanceOptions, "minInstances" | "maxInstances" | "instantiate"> & {
    readonly classes?: readonly ClassSpec[];
  },
): fc.Arbitrary<Record<string, unknown>>;
export function instanceArbitrary(
  target: Constructor | ClassSpec,
  options: InstanceOptions & { readonly classes?: readonly ClassSpec[] } = {},
): fc.Arbitrary<object> {
  let namespace: Namespace;
  let className: string;
  let construct = options.construct;
  if (typeof target === "function") {
    const proto = (target as { prototype?: unknown }).prototype;
    const handle =
      typeof proto === "object" && proto !== null ? handleOfPrototype(proto) : undefined;
    const owner = handle ? findOwner(handle) : undefined;
    if (handle && owner) {
      namespace = owner;
      className = Object.values(owner.snapshot.bindings).find(
        (b) => b.kind === "class" && b.handle === handle,
      )!.name;
    } else {
      // An unmanaged class: register it in a namespace of its own.
      namespace = new Namespace(`instances of ${target.name}`);
      const registered = namespace.registerClass(target);
      className = registered.name;
      construct = {
        [className]: (fields) => Object.assign(Reflect.construct(target, []) as object, fields),
        ...construct,
      };
    }
  } else {
    const others = (options.classes ?? []).filter((c) => c.name !== target.name);
    const ns = new Namespace(`instances of ${target.name}`);
    for (const spec of hierarchyOrder([...others, target])) ns.defineClass(spec);
    namespace = ns;
    className = target.name;
  }
  const model = worldModel({ namespace: () => namespace }, false);
  const cls = model.classes.find((c) => c.name === className)!;
  return fieldsArbitrary(cls, model, { ...options, references: false }, undefined).map(
    (fields) =>
      buildWorld(
        model,
        { instances: [{ className, fields }] },
        { namespace, ...(construct ? { construct } : {}) },
      ).instances[0]!,
  );
}

function findOwner(handle: Constructor): Namespace | undefined {
  const owner = handleOwner(handle);
  return owner instanceof Namespace ? owner : undefined;
}

// --- Printing -------------------------------------------------------------------------

/** A value spec in one line: references as `→#i`, values as fast-check prints them. */
export function formatValueSpec(v: ValueSpec): string {
  return "ref" in v ? `→#${v.ref}` : fc.stringify(v.value);
}

/** A world spec, one instance a line: `#0 Person { name: "", age: 3, friend: →#1 }`. */
export function formatWorldSpec(spec: WorldSpec): string {
  if (spec.instances.length === 0) return "(no instances)";
  return spec.instances
    .map((instance, i) => {
      const fields = Object.entries(instance.fields).map(([k, v]) => `${k}: ${formatValueSpec(v)}`);
      return `#${i} ${instance.className} { ${fields.join(", ")} }`;
    })
    .join("\n");
}
