/**
 * The refusal of an object whose rewrite would have to delete an own
 * property it cannot (not configurable), naming what the new layout changes
 * in front of it: said only as "the migration would have to delete it", a
 * package upgrade's refusal (yaml 2.2 -> 2.6, whose Schema defines three
 * symbols so and whose 2.6 drops `merge` before them) gave no reason a
 * reader could check.
 */
import { UnswappableObjectError } from "../errors.js";
import type { ObjectState } from "../mop/rewriting/stateTable.js";

export function fixedPropertyError(
  className: string,
  index: number,
  block: { blocked: PropertyKey; first: PropertyKey },
  state: ObjectState,
): UnswappableObjectError {
  const key = String(block.blocked);
  return new UnswappableObjectError(
    `cannot migrate ${className} instance #${index}: its own property "${key}" is not configurable, and the migration would have to delete it: ${rewriteCause(block, state)}, and an object's properties take a new order or kind only by being deleted and defined again; keep "${key}" and the properties in front of it as they are, or hold such objects through instance handles; where a package's constructor defines it so (its next release changing what comes before), neither is yours to do: restart, or leave the class unregistered`,
    { className, index, property: key, changed: String(block.first) },
  );
}

/** Why the rewrite reaches the fixed property: what the new layout changes first. */
function rewriteCause(
  block: { blocked: PropertyKey; first: PropertyKey },
  state: ObjectState,
): string {
  if (block.first === block.blocked)
    return "the new layout changes it (its place among the properties, or makes it a plain field)";
  const kept = state.keys.includes(block.first);
  return `the new layout ${kept ? "moves" : "removes"} "${String(block.first)}", which comes before it`;
}
