/** Instances of one class, as a fast-check arbitrary. */
import type fc from "fast-check";
import type { ClassSpec } from "../../mop/classDefinition.js";
import { handleOfPrototype, handleOwner } from "../../mop/classHandle.js";
import type { Constructor } from "../../mop/createClass.js";
import { Namespace } from "../../namespace/namespace.js";
import { buildWorld } from "./build.js";
import { constructorProbe } from "./constructorArguments.js";
import { hierarchyOrder, worldModel } from "./model.js";
import { checkInstanceOptions } from "./options.js";
import type { InstanceOptions } from "./types.js";
import { refuseUnknownKeys } from "../optionKeys.js";
import { instanceSpecArbitrary } from "./values.js";

/**
 * A class spec, and not a class: a class has a `name` too, and options the
 * class's own overload refuses (`values: { Account: { balnce } }`) would
 * otherwise compile here, untyped.
 */
export type SpecNotClass = ClassSpec & { readonly prototype?: never };

/** The instance options that make sense for one instance (not how many, nor of which classes). */
const PER_INSTANCE_KEYS = ["values", "construct", "references"];

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
  spec: SpecNotClass,
  options?: Omit<InstanceOptions, "minInstances" | "maxInstances" | "instantiate"> & {
    readonly classes?: readonly ClassSpec[];
  },
): fc.Arbitrary<Record<string, unknown>>;
export function instanceArbitrary(
  target: Constructor | ClassSpec,
  options: InstanceOptions & { readonly classes?: readonly ClassSpec[] } = {},
): fc.Arbitrary<object> {
  // `classes` serves a spec's superclasses; a live class has its own.
  const known = [...PER_INSTANCE_KEYS, ...(typeof target === "function" ? [] : ["classes"])];
  refuseUnknownKeys(options, known, "instanceArbitrary");
  let namespace: Namespace;
  let className: string;
  const construct = options.construct;
  // A namespace of the arbitrary's own may get a sample instance (to infer field kinds) and probes.
  let ownNamespace = false;
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
      // Made below through the handle only, so the registry sees every one.
      className = namespace.registerClass(target, { constructedOnlyThroughHandle: true }).name;
      ownNamespace = true;
    }
  } else {
    const others = (options.classes ?? []).filter((c) => c.name !== target.name);
    const ns = new Namespace(`instances of ${target.name}`);
    for (const spec of hierarchyOrder([...others, target])) ns.defineClass(spec);
    namespace = ns;
    className = target.name;
    ownNamespace = true;
  }
  const model = worldModel({ namespace: () => namespace }, ownNamespace);
  checkInstanceOptions({ ...options, construct }, model, "instanceArbitrary", known);
  const cls = model.classes.find((c) => c.name === className)!;
  const probe = ownNamespace ? constructorProbe(model, construct) : undefined;
  return instanceSpecArbitrary(cls, model, { ...options, references: false }, undefined, probe).map(
    (instance) =>
      buildWorld(
        model,
        { instances: [instance] },
        { namespace, ...(construct ? { construct } : {}) },
      ).instances[0]!,
  );
}

function findOwner(handle: Constructor): Namespace | undefined {
  const owner = handleOwner(handle);
  return owner instanceof Namespace ? owner : undefined;
}
