/**
 * What every property is built from: the context of the patch under test,
 * a builder of fresh worlds, and the plain input arbitrary (a world alone).
 */
import type fc from "fast-check";
import type { LiveWorld, WorldSpec } from "../world/types.js";
import { buildWorld } from "../world/build.js";
import { namespaceAsWritten } from "../world/factoryRegistration.js";
import { printable } from "./inputs.js";
import { logWarningsOf } from "./warningLog.js";
import type { PropertyContext, PropertyInput } from "./types.js";

export interface PropertyKit extends PropertyContext {
  /**
   * A fresh world (namespace and instances) from a spec: every run builds its
   * own; `asWritten`, in a namespace exactly as a `namespace` factory makes it
   * (for the program's own calls, see factoryRegistration.ts).
   */
  readonly build: (spec: WorldSpec, asWritten?: boolean) => LiveWorld;
  /** Inputs that are a world and nothing else. */
  readonly plain: fc.Arbitrary<PropertyInput>;
}

export function propertyKit(context: PropertyContext): PropertyKit {
  return {
    ...context,
    build: (spec, asWritten = false) => {
      const world = buildWorld(
        context.model,
        spec,
        asWritten
          ? { ...context.instanceOptions, namespace: namespaceAsWritten(context.model) }
          : context.instanceOptions,
      );
      if (context.warnings) logWarningsOf(world.namespace, context.warnings);
      return world;
    },
    plain: context.worlds.map((world) => printable({ world })),
  };
}
