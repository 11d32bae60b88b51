/**
 * A migrating class registered as the program wrote it (without
 * `constructedOnlyThroughHandle`) in a namespace whose finder answers from
 * the registry: the registry records only what is made through the handle,
 * and objects made with the class itself — by its own methods and static
 * factories (`new Point()` there reads the class's inner binding), by its
 * package, or before registration — were never recorded. The update did not
 * find them: an eager update leaves them on the old layout under the new
 * methods (a registered `Point` whose `static make()` built one answered
 * `NaN` from `sum()` after `addField("Point", "z")`), and a lazy one
 * migrates them only if they are called before its guards come off. The
 * default adaptive finder turns to the heap query for such a class where it
 * can; with the registry named, or where the heap cannot be queried, the
 * update says so.
 *
 * Not for a `defineClass` class: the program constructs its objects only
 * through the handle, and objects it puts on the prototype otherwise (a
 * deserialiser's `Object.create(Acc.prototype)`) no finder short of the
 * heap query can tell exist — warning on every eager update of every such
 * class, as the default finder answers from the registry, would say
 * nothing about the program at hand (docs/design.md, "Finding instances").
 */
import { stateOf } from "../mop/classHandle.js";
import type { Namespace } from "../namespace/namespace.js";
import type { UpdateWarning } from "./warning.js";
import { warning } from "./warning.js";

export function unseenInstances(
  namespace: Namespace,
  migrating: ReadonlySet<string>,
): UpdateWarning[] {
  if (namespace.finder.kind !== "registry") return [];
  const warnings: UpdateWarning[] = [];
  for (const className of migrating) {
    const binding = namespace.has(className) ? namespace.binding(className) : undefined;
    if (binding?.kind !== "class" || !stateOf(binding.handle).implementationConstructor) continue;
    warnings.push(
      warning(
        "MM_UNSEEN_INSTANCES",
        className,
        undefined,
        "registered without `constructedOnlyThroughHandle`, in a namespace whose finder is the registry, which records only objects made through the handle: any made with the class itself (by its own methods or static factories, its package, or before registration) cannot be found",
        "such objects keep the old layout under the new methods; name the heap finder (or leave the default adaptive one, which queries the heap for such a class), or register the class with `constructedOnlyThroughHandle: true` where every construction goes through its handle",
      ),
    );
  }
  return warnings;
}
