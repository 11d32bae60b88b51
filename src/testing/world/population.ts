/** Populations of instances of a world's classes, as specs. */
import fc from "fast-check";
import { formatWorldSpec, printable } from "./format.js";
import type { InstanceOptions, InstanceSpec, ValueSpec, WorldModel, WorldSpec } from "./types.js";
import { constructorProbe } from "./constructorArguments.js";
import { checkInstanceOptions } from "./options.js";
import { instanceSpecArbitrary } from "./values.js";
import { holdsWorldRef, pinWorldRefs } from "./worldRefs.js";

/**
 * Populations of instances of the model's classes: subclass instances,
 * shared references, cycles and sub-objects two instances share included. Shrinks towards fewer instances,
 * earlier classes and simpler values.
 */
export function worldSpecArbitrary(
  model: WorldModel,
  options: InstanceOptions = {},
): fc.Arbitrary<WorldSpec> {
  checkInstanceOptions(options, model, "worldSpecArbitrary");
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
  const probe = constructorProbe(model, options.construct);
  const perClass = chosen.map((cls) => instanceSpecArbitrary(cls, model, options, refs, probe));
  const population = fc.array(fc.oneof({ withCrossShrink: true }, ...perClass), {
    minLength: minInstances,
    maxLength: maxInstances,
  });
  // `references: false` keeps instances apart: no references, no shared sub-objects.
  const shares = options.references === false ? fc.constant([]) : sharings;
  return fc.tuple(population, shares).map(([instances, shared]) => {
    const classNames = instances.map((i) => i.className);
    // References point at an existing instance (or at nothing, in an empty world);
    // `construct` is given those built before it, never written into afterwards.
    const fixed = instances.map((i, at) => {
      const n = options.construct?.[i.className] ? at : instances.length;
      const pinned = Object.entries(i.fields).flatMap(([k, v]): [string, ValueSpec][] => {
        if ("ref" in v) return n === 0 ? [] : [[k, { ref: v.ref % n }]];
        if (!holdsWorldRef(v.value)) return [[k, v]];
        return [[k, { value: pinWorldRefs(v.value, classNames.slice(0, n), model) }]];
      });
      const contents =
        i.contents === undefined
          ? {}
          : {
              contents: pinWorldRefs(i.contents, classNames.slice(0, n), model) as
                | ReadonlyMap<unknown, unknown>
                | ReadonlySet<unknown>,
            };
      return { className: i.className, fields: Object.fromEntries(pinned), ...contents };
    });
    share(fixed, shared);
    return printable({ instances: fixed }, formatWorldSpec);
  });
}

/** Instance `to` takes the very plain object instance `from` holds in one of the fields both have. */
interface Sharing {
  readonly from: number;
  readonly to: number;
  readonly field: number;
}

/**
 * Sharings, in a quarter of the worlds: programs share plain objects
 * between instances (two people, one address), and a migrator that copies
 * one (`p.address = { ...old.address }`) breaks that. Shrinks to none.
 */
const sharings: fc.Arbitrary<readonly Sharing[]> = fc.oneof(
  { arbitrary: fc.constant([]), weight: 3 },
  {
    arbitrary: fc.array(fc.record({ from: fc.nat(), to: fc.nat(), field: fc.nat() }), {
      minLength: 1,
      maxLength: 2,
    }),
    weight: 1,
  },
);

/** A plain object (not an array, a Map, a Date…: a program rarely shares those by design). */
function isPlainObject(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Two plain objects, one in each value, that could be one object shared. */
function shareable(a: ValueSpec | undefined, b: ValueSpec | undefined): boolean {
  if (a === undefined || b === undefined || !("value" in a) || !("value" in b)) return false;
  return a.value !== b.value && isPlainObject(a.value) && isPlainObject(b.value);
}

function share(instances: { fields: Record<string, ValueSpec> }[], shared: readonly Sharing[]) {
  const n = instances.length;
  for (const s of shared) {
    const [from, to] = [instances[s.from % n], instances[s.to % n]];
    if (n < 2 || from === undefined || to === undefined || from === to) continue;
    const fields = Object.keys(to.fields).filter((f) => shareable(from.fields[f], to.fields[f]));
    if (fields.length > 0) {
      const f = fields[s.field % fields.length]!;
      to.fields[f] = from.fields[f]!;
    }
  }
}
