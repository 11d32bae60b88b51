/**
 * The code of surviving classes that reads, by name, a class the patch
 * removes. A class metamorph compiles sees the namespace's classes as they
 * were when it was compiled (building/updateScopes.ts): a method saying
 * `new Line()` kept building objects of the removed class — managed by no
 * namespace, which no later update finds or migrates. Reported as the
 * `removed-class-reference` the validation gives for bindings and fields.
 * Ordinary classes are not read: their code sees their module, where the
 * name may be anything. With them, checked as the patch meets the namespace
 * (before anything changes): the statics that hold a removed class
 * (removedClassStatics.ts) and the removed classes' live objects
 * (removedClassInstances.ts), which the validation of the new world does
 * not see.
 */
import { codeOfDefinition } from "../mop/classDefinition.js";
import type { Namespace } from "../namespace/namespace.js";
import type { RemovedClassReferenceFailure } from "../validation/index.js";
import { SYSTEM_RULES } from "../validation/systemRules.js";
import type { BuildResult } from "./build.js";
import { removedClassInstances } from "./removedClassInstances.js";
import { removedClassStatics } from "./removedClassStatics.js";
import { memberWhere, unboundIn } from "./unboundCode.js";

export function removedClassReads(
  namespace: Namespace,
  build: BuildResult,
): RemovedClassReferenceFailure[] {
  if (build.removed.length === 0) return [];
  const removed = new Set(build.removed);
  const failures: RemovedClassReferenceFailure[] = [];
  for (const [name, cls] of build.classes) {
    const definition = cls.definition;
    if (definition.fieldOrigin !== "created") continue;
    const handle = cls.oldName === null ? null : namespace.classNamed(cls.oldName);
    const own = (handle === null ? undefined : namespace.scopes.get(handle)) ?? {};
    const bound = (n: string) => !removed.has(n) || n === name || Object.hasOwn(own, n);
    for (const code of codeOfDefinition(definition)) {
      const { source, kind } = code;
      const where =
        code.kind === "member" ? memberWhere(code.method) : `the initialiser of ${code.field}`;
      for (const read of unboundIn(source, kind, bound) ?? [])
        failures.push({
          rule: SYSTEM_RULES.removedClassReference,
          className: name,
          removedClass: read,
          message: `class ${name}, ${where}, reads removed class ${read} by name: it would go on building or using a class no namespace manages; change that code in the same patch, or keep ${read}`,
        });
    }
  }
  failures.push(...removedClassStatics(namespace, build));
  failures.push(...removedClassInstances(namespace, build));
  return failures;
}
