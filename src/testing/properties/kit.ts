/**
 * What every property is built from: the context of the patch under test,
 * a builder of fresh worlds, and the plain input arbitrary (a world alone).
 */
import type fc from "fast-check";
import type { LiveWorld, WorldSpec } from "../world/types.js";
import { buildWorld } from "../world/build.js";
import { printable } from "./inputs.js";
import { logWarningsOf } from "./warningLog.js";
import type { PropertyContext, PropertyInput } from "./types.js";

export interface PropertyKit extends PropertyContext {
  /** A fresh world (namespace and instances) from a spec: every run builds its own. */
  readonly build: (spec: WorldSpec) => LiveWorld;
  /** Inputs that are a world and nothing else. */
  readonly plain: fc.Arbitrary<PropertyInput>;
}

export function propertyKit(context: PropertyContext): PropertyKit {
  return {
    ...context,
    build: (spec) => {
      const world = buildWorld(context.model, spec, context.instanceOptions);
      if (context.warnings) logWarningsOf(world.namespace, context.warnings);
      return world;
    },
    plain: context.worlds.map((world) => printable({ world })),
  };
}
