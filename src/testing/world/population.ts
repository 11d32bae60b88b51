/** Populations of instances of a world's classes, as specs. */
import fc from "fast-check";
import { formatWorldSpec, printable } from "./format.js";
import type { InstanceOptions, InstanceSpec, ValueSpec, WorldModel, WorldSpec } from "./types.js";
import { constructorProbe } from "./constructorArguments.js";
import { checkInstanceOptions } from "./options.js";
import { fieldsArbitrary } from "./values.js";

/**
 * Populations of instances of the model's classes: subclass instances,
 * shared references and cycles included. Shrinks towards fewer instances,
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
  const perClass = chosen.map((cls) =>
    fieldsArbitrary(cls, model, options, refs, probe).map(
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
