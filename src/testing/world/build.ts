/** Building a world spec into fresh live objects. */
import type fc from "fast-check";
import type { Namespace } from "../../namespace/namespace.js";
import { currentVersion } from "../../mop/classHandle.js";
import { constructorArguments } from "./constructorArguments.js";
import { copyValue } from "./copy.js";
import { holdsWorldRef, placeWorldRefs } from "./worldRefs.js";
import { formatWorldSpec, printable } from "./format.js";
import { worldModel } from "./model.js";
import { worldSpecArbitrary } from "./population.js";
import { refuseUnknownKeys } from "../optionKeys.js";
import { callConstruct, checkConstructOption, ofWorldClass } from "./construct.js";
import { checkInstanceOptions, checkWorldSource } from "./options.js";
import type {
  InstanceOptions,
  LiveWorld,
  WorldClassConstructor,
  WorldModel,
  WorldSource,
  WorldSpec,
} from "./types.js";

/**
 * Builds a spec into live objects in a fresh namespace (or in `namespace`).
 * Data values are copied (see copy.ts), so one spec builds independent
 * worlds, and a world's migration never changes the spec it was built from.
 */
export function buildWorld(
  model: WorldModel,
  spec: WorldSpec,
  options: Pick<InstanceOptions, "construct"> & { readonly namespace?: Namespace } = {},
): LiveWorld {
  refuseUnknownKeys(options, ["construct", "namespace"], "buildWorld");
  checkConstructOption(options.construct, model);
  const namespace = options.namespace ?? model.make();
  const byName = new Map(model.classes.map((c) => [c.name, c] as const));
  // One map for the whole world: an object the spec gives twice is one object, shared, here too.
  const seen = new Map<object, unknown>();
  const instances = spec.instances.map((instance, index) => {
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
      // A field the spec leaves out keeps what the constructor gives it; one
      // holding instances is set once they all exist.
      if (v === undefined || ("value" in v && holdsWorldRef(v.value))) continue;
      values[field] = "value" in v ? copyValue(v.value, seen) : undefined;
    }
    const construct = options.construct?.[cls.name];
    if (construct) {
      const Class = handle as unknown as WorldClassConstructor;
      const made = callConstruct(construct, values, Class, cls.name, index);
      return ofWorldClass(made, Class, cls.name) as Record<string, unknown>;
    }
    if (cls.definition.fieldOrigin === "created") return new handle(values);
    const ordinary = handle as unknown as new (...args: unknown[]) => Record<string, unknown>;
    return Object.assign(constructOrdinary(ordinary, values, namespace), values);
  });
  const placed = new Map<object, unknown>();
  spec.instances.forEach((instance, i) => {
    for (const [field, v] of Object.entries(instance.fields)) {
      if ("ref" in v) instances[i]![field] = instances[v.ref % instances.length];
      else if (holdsWorldRef(v.value)) {
        instances[i]![field] = placeWorldRefs(copyValue(v.value, seen), instances, placed);
      }
    }
  });
  return printable({ spec, namespace, instances }, (w) => formatWorldSpec(w.spec));
}

/**
 * An instance of an ordinary class, its fields then set from the spec: made
 * by its constructor, given the values of the fields its parameters set
 * (see constructorArguments.ts), or with no arguments; else (a constructor
 * that needs other arguments throws) made from its prototype alone.
 */
function constructOrdinary(
  handle: new (...args: unknown[]) => Record<string, unknown>,
  values: Readonly<Record<string, unknown>>,
  namespace: Namespace,
): Record<string, unknown> {
  const args = constructorArguments(currentVersion(handle).ctor, values);
  for (const attempt of args.length > 0 ? [args, []] : [[]]) {
    try {
      return new handle(...attempt);
    } catch {
      // the next attempt, or the prototype alone
    }
  }
  const made = Object.create(handle.prototype) as Record<string, unknown>;
  // Not made by the handle: the registry must be told of it.
  namespace.finder.record(made);
  return made;
}

/** Live worlds (fresh namespace and instances for every generated value). */
export function worldArbitrary(
  source: WorldSource,
  options: InstanceOptions = {},
): fc.Arbitrary<LiveWorld> {
  checkWorldSource(source, "worldArbitrary");
  const model = worldModel(source);
  checkInstanceOptions(options, model, "worldArbitrary");
  const construct = options.construct === undefined ? {} : { construct: options.construct };
  return worldSpecArbitrary(model, options).map((spec) => buildWorld(model, spec, construct));
}
