/**
 * The static fields of the classes that survive a removal, searched for
 * references to the removed classes (validation/removedReferences.ts): a
 * `static defaultKind = Neg`, a static Map keyed by the class or holding
 * one of its objects. The validation of the new world sees the bindings and
 * the surviving instances only: such a reference survived the removal
 * without a word (review advZ13). The statics read are those whose running
 * value the update keeps (under their new name where the patch renames
 * one); a static the patch removes or re-initialises no longer holds it.
 */
import { currentVersion, stablePrototype } from "../mop/classHandle.js";
import type { Namespace } from "../namespace/namespace.js";
import {
  type RemovedClass,
  type RemovedClassReferenceFailure,
  validateRemovedClassReferences,
} from "../validation/index.js";
import type { BuildResult, ClassBuild } from "./build.js";

export function removedClassStatics(
  namespace: Namespace,
  build: BuildResult,
): RemovedClassReferenceFailure[] {
  const removed = removedHandles(namespace, build);
  const statics = new Map<string, ReadonlyMap<string, unknown>>();
  for (const [name, cls] of build.classes) {
    if (cls.oldName === null) continue;
    const running = currentVersion(namespace.classNamed(cls.oldName)).ctor;
    const kept = new Map<string, unknown>();
    for (const { name: field } of cls.definition.staticFields) {
      const origin = staticOrigin(cls, field);
      const d = origin === null ? undefined : Reflect.getOwnPropertyDescriptor(running, origin);
      if (d !== undefined && "value" in d) kept.set(field, d.value);
    }
    if (kept.size > 0) statics.set(name, kept);
  }
  return validateRemovedClassReferences({ removed, bindings: new Map(), instances: [], statics });
}

/** The removed classes as the rule knows them: each handle, and the prototype its objects sit on. */
export function removedHandles(
  namespace: Namespace,
  build: BuildResult,
): ReadonlyMap<string, RemovedClass> {
  return new Map(
    build.removed.map((name) => {
      const handle = namespace.classNamed(name);
      return [name, { handle, prototypes: [stablePrototype(handle)] }];
    }),
  );
}

/**
 * The running static a static of the new version takes its value from
 * (staticFieldOperations.ts): its entry in `staticOrigins`, else its own
 * name — but for a class handed in, whose statics are its own.
 */
function staticOrigin(cls: ClassBuild, field: string): string | null {
  if (cls.staticOrigins?.has(field)) return cls.staticOrigins.get(field)!;
  return cls.implementation !== undefined && !cls.implementationDerived ? null : field;
}
