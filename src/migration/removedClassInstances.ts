/**
 * The live objects of a class a patch removes. No update migrates them
 * again: they keep the removed class's last version, and the next update of
 * a class above it gives them its new methods over their old fields (an
 * AST's `Neg` kept in a Map, after `renameField("Expr", "text", "label")`:
 * its `show()` threw; "merge Boss into Monster" left every Boss a Boss).
 * The removal committed without a word under every policy (review advZ13).
 * Refused, with their number and what to do, before anything changes, as
 * the references to a removed class are (`removed-class-reference`): the
 * program still holds these objects, or the finder would not list them.
 * Where it does through the namespace's objects and bindings is said too.
 *
 * Counted by the namespace's finder, exactly as an update finds the objects
 * it migrates: the heap finder sees every one; the registry sees those its
 * class's handle constructed, and also those nothing refers to any more
 * until the garbage collector reclaims them (the message says so).
 */
import { currentVersion, stablePrototype } from "../mop/classHandle.js";
import { bindingValue, type Namespace } from "../namespace/namespace.js";
import {
  type RemovedClassReferenceFailure,
  validateRemovedClassReferences,
} from "../validation/index.js";
import { SYSTEM_RULES } from "../validation/systemRules.js";
import type { BuildResult } from "./build.js";
import { removedHandles } from "./removedClassStatics.js";

export function removedClassInstances(
  namespace: Namespace,
  build: BuildResult,
): RemovedClassReferenceFailure[] {
  const failures: RemovedClassReferenceFailure[] = [];
  for (const name of build.removed) {
    const handle = namespace.classNamed(name);
    const objects = namespace.finder.find(stablePrototype(handle));
    if (objects.length === 0) continue;
    const above = currentVersion(handle).definition.superclass;
    failures.push({
      rule: SYSTEM_RULES.removedClassReference,
      className: name,
      removedClass: name,
      object: objects[0]!,
      message: liveObjects(name, objects.length, above, namespace.finder.kind === "registry"),
    });
  }
  return failures.length === 0 ? [] : [...failures, ...heldBy(namespace, build)];
}

/**
 * Which surviving objects and bindings hold them: what the validation of the
 * new world would have named, had the update got that far (a refusal only:
 * it finds every surviving class's objects).
 */
function heldBy(namespace: Namespace, build: BuildResult): RemovedClassReferenceFailure[] {
  const instances = [...build.classes.values()].flatMap((c) =>
    c.oldName === null
      ? []
      : namespace.finder.find(stablePrototype(namespace.classNamed(c.oldName))),
  );
  const bindings = new Map(
    Object.values(namespace.snapshot.bindings)
      .filter((b) => b.kind !== "class")
      .map((b) => [b.name, bindingValue(b)] as const),
  );
  const removed = removedHandles(namespace, build);
  return validateRemovedClassReferences({ removed, bindings, instances });
}

function liveObjects(name: string, count: number, above: string | null, registry: boolean): string {
  const one = count === 1;
  const [them, they, their] = one ? ["it", "it", "its"] : ["them", "they", "their"];
  const replacement =
    above === null
      ? "an object of the class that takes its place"
      : `a new ${above} with ${their} values`;
  const garbage = registry
    ? " (the registry finder counts an object nothing refers to any more until it is garbage-collected)"
    : "";
  return `${count} live ${one ? "object" : "objects"} of class ${name}, which this patch removes${garbage}: no update would migrate ${them} any more — ${they} would keep ${name}'s last version, and the next update of a class above it would run its new methods over ${their} old fields. Turn ${them} into objects of another class first — \`forwardObjects(allInstances(${name}), replacements)\` (metamorph/mop) gives each the contents of the object built for it (${replacement}, say), and every reference to it (fields, Maps, Sets, WeakMaps) sees that; then \`namespace.finder.record(object)\` for each, so that the finder lists it under its new class — or drop every reference to ${them}; then remove ${name}. Or keep ${name}`;
}
