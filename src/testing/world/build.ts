/** Building a world spec into fresh live objects. */
import type fc from "fast-check";
import type { Namespace } from "../../namespace/namespace.js";
import { classHandleOf, currentVersion, handleOwner } from "../../mop/classHandle.js";
import { reachableObjects } from "../snapshot.js";
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
  ValueSpec,
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
  const placed = new Map<object, unknown>();
  const built: Record<string, unknown>[] = [];
  const keep = (made: Record<string, unknown>) => {
    built.push(made);
    return made;
  };
  // Made through a handle, so the registry has them; anything else the world holds is recorded below.
  const throughHandle = new Set<object>();
  const viaHandle = (made: Record<string, unknown>) => {
    throughHandle.add(made);
    return keep(made);
  };
  const instances = spec.instances.map((instance, index) => {
    const cls = byName.get(instance.className);
    if (!cls) {
      throw new TypeError(`world spec: there is no class ${instance.className} in the world`);
    }
    const handle = namespace.classNamed(cls.name) as unknown as new (
      init?: Record<string, unknown>,
    ) => Record<string, unknown>;
    const construct = options.construct?.[cls.name];
    const values: Record<string, unknown> = {};
    for (const field of cls.fields) {
      const v = instance.fields[field];
      // A field the spec leaves out keeps what the constructor gives it.
      if (v === undefined) continue;
      const value = construct ? givenToConstruct(v, built, seen, placed) : plainValue(v, seen);
      if (value !== ABSENT) values[field] = value;
    }
    if (construct) {
      const Class = handle as unknown as WorldClassConstructor;
      const made = callConstruct(construct, values, Class, cls.name, index);
      return keep(ofWorldClass(made, Class, cls.name) as Record<string, unknown>);
    }
    if (cls.definition.fieldOrigin === "created") return viaHandle(new handle(values));
    const ordinary = handle as unknown as new (...args: unknown[]) => Record<string, unknown>;
    return viaHandle(Object.assign(constructOrdinary(ordinary, values, namespace), values));
  });
  spec.instances.forEach((instance, i) => {
    if (options.construct?.[instance.className]) return;
    for (const [field, v] of Object.entries(instance.fields)) {
      if ("ref" in v) instances[i]![field] = instances[v.ref % instances.length];
      else if (holdsWorldRef(v.value)) {
        instances[i]![field] = placeWorldRefs(copyValue(v.value, seen), instances, placed);
      }
    }
  });
  spec.instances.forEach((instance, i) => {
    if (instance.contents === undefined || options.construct?.[instance.className]) return;
    const contents = placeWorldRefs(copyValue(instance.contents, seen), instances, placed);
    putContents(instances[i]!, contents);
  });
  recordUnseen(namespace, instances, throughHandle);
  return printable({ spec, namespace, instances }, (w) => formatWorldSpec(w.spec));
}

/**
 * Puts a Map's entries or a Set's values into an instance of a class
 * extending it, with its own `set` or `add`, as the program would (an
 * override keeps its bookkeeping); an entry its method refuses is left out.
 */
function putContents(instance: Record<string, unknown>, contents: unknown): void {
  const entries: (readonly [unknown, unknown])[] =
    contents instanceof Map
      ? [...contents]
      : contents instanceof Set
        ? [...contents].map((v) => [v, v])
        : [];
  const put = (contents instanceof Map ? instance.set : instance.add) as
    | ((this: unknown, ...args: unknown[]) => unknown)
    | undefined;
  if (typeof put !== "function") return;
  for (const [k, v] of entries) {
    try {
      if (contents instanceof Map) put.call(instance, k, v);
      else put.call(instance, v);
    } catch {
      // refused by the class: an instance the program could not have made with it
    }
  }
}

/**
 * Tells the namespace's registry of the world's objects of its classes that
 * were not made through a handle — by `construct` (a static factory that
 * says `new Account()`), or inside a constructor — which the registry
 * cannot see: the kit's worlds promise construction through the handles
 * (factoryRegistration.ts), and an object the update misses would pass
 * every property unmigrated.
 */
function recordUnseen(namespace: Namespace, instances: readonly object[], seen: Set<object>): void {
  for (const o of reachableObjects(instances)) {
    if (seen.has(o)) continue;
    const handle = classHandleOf(o);
    if (handle !== undefined && handleOwner(handle) === namespace) namespace.finder.record(o);
  }
}

/** A value the instance is not given (yet). */
const ABSENT = Symbol("absent");

/** A field's value for the constructor: the data; one holding instances is set once they all exist. */
function plainValue(v: ValueSpec, seen: Map<object, unknown>): unknown {
  return "ref" in v || holdsWorldRef(v.value) ? ABSENT : copyValue(v.value, seen);
}

/**
 * A field's value for `construct`, whose instance is never written into
 * afterwards (it may keep its fields consistent: a stack's size and its
 * nodes): the instances it refers to among those `built` before it, and no
 * others (the population refers to no others; a spec written by hand may).
 */
function givenToConstruct(
  v: ValueSpec,
  built: readonly object[],
  seen: Map<object, unknown>,
  placed: Map<object, unknown>,
): unknown {
  if ("ref" in v) return v.ref < built.length ? built[v.ref] : ABSENT;
  if (!holdsWorldRef(v.value)) return copyValue(v.value, seen);
  return placeWorldRefs(copyValue(v.value, seen), built, placed, true);
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
