/**
 * Planning a cooperative update of one class (see privateState.ts): every
 * check and every export of private state, before anything changes.
 */
import {
  InvalidPatchError,
  MigrationError,
  PrivateStateError,
  UnswappableObjectError,
} from "../errors.js";
import type { ClassDefinition } from "../mop/classDefinition.js";
import { constructorOfDefinition, currentVersion, stablePrototype } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import { readClassDefinition } from "../mop/readClassDefinition.js";
import { privateStateAdvice } from "../migration/privateStateRefusal.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Operation } from "../patch/operations.js";
import type { ExportHook, ImportHook } from "./adoptable.js";
import {
  alreadyAdopted,
  EXPORT_HOOK,
  extendsAdoptable,
  IMPORT_HOOK,
  ownHook,
} from "./adoptable.js";
import { implementationOf } from "./versionConstructor.js";

export type ReplaceImplementation = Extract<Operation, { op: "replaceImplementation" }>;

export interface AdoptionPlan {
  readonly className: string;
  readonly handle: Constructor;
  readonly oldDefinition: ClassDefinition;
  readonly oldImplementation: Function;
  readonly implementation: Constructor;
  readonly definition: ClassDefinition;
  readonly adopt: boolean;
  readonly importHook: ImportHook | undefined;
  /** New public field → the old field its value comes from. */
  readonly origins: ReadonlyMap<string, string>;
  readonly fields: readonly string[];
  readonly instances: readonly object[];
  readonly exported: readonly unknown[];
}

/** The cooperative path updates root classes without subclasses only. */
function checkPlace(
  namespace: Namespace,
  name: string,
  oldDefinition: ClassDefinition,
  where: string,
): void {
  if (oldDefinition.superclass !== null) {
    throw new InvalidPatchError(
      `${where}: ${name} extends ${oldDefinition.superclass}; the cooperative private-state path updates root classes only`,
      { className: name },
    );
  }
  const subclasses = namespace
    .bindingNames()
    .map((n) => namespace.binding(n))
    .filter((b) => b.kind === "class" && b.definition.superclass === name)
    .map((b) => b.name);
  if (subclasses.length > 0) {
    throw new InvalidPatchError(
      `${where}: ${name} has subclasses (${subclasses.join(", ")}), whose instances would keep the old private brand; the cooperative private-state path updates classes without subclasses only`,
      { className: name, subclasses },
    );
  }
}

/** The class whose code the version of `definition` runs (behind a forwarding version). */
function runningImplementation(definition: ClassDefinition): Function | undefined {
  const ctor = constructorOfDefinition(definition);
  return ctor === undefined ? undefined : implementationOf(ctor);
}

/** Private state needs both hooks, and new private members need Adoptable. */
function checkCooperation(
  name: string,
  oldDefinition: ClassDefinition,
  implementation: Constructor,
  hooks: { exportHook: ExportHook | undefined; importHook: ImportHook | undefined },
  read: { hasPrivateMembers: boolean; adopt: boolean },
): void {
  if (oldDefinition.hasPrivateMembers && !hooks.exportHook) {
    const advice =
      privateStateAdvice(name, [runningImplementation(oldDefinition), implementation]) ??
      `add \`static ${EXPORT_HOOK}(instance) { return { /* its private state */ }; }\` to class ${name} (the version running now), and \`static ${IMPORT_HOOK}(instance, state)\` to the new version`;
    throw new PrivateStateError(
      `class ${name} declares private # members, which only its own code can read, and it has no export hook: ${advice}`,
      { className: name, hook: EXPORT_HOOK },
    );
  }
  if (oldDefinition.hasPrivateMembers && !hooks.importHook) {
    throw new PrivateStateError(
      `class ${name} exports its private state but the new version ${implementation.name} cannot take it: add \`static ${IMPORT_HOOK}(instance, state) { … }\` to ${implementation.name}`,
      { className: name, hook: IMPORT_HOOK },
    );
  }
  if (read.hasPrivateMembers && !read.adopt) {
    throw new PrivateStateError(
      `the new version ${implementation.name} of ${name} declares private # members, which existing objects do not have: make it \`extends Adoptable\` (from metamorph) so they are installed on them`,
      { className: name, implementation: implementation.name },
    );
  }
}

/** New public field → the old field its value comes from, after checking the renames. */
function fieldOrigins(
  fields: readonly string[],
  op: ReplaceImplementation,
  oldDefinition: ClassDefinition,
  where: string,
): Map<string, string> {
  const name = op.className;
  const renames = op.renames ?? {};
  const origins = new Map<string, string>();
  for (const field of fields) origins.set(field, renames[field] ?? field);
  const oldFields = new Set(oldDefinition.fields.map((f) => f.name));
  for (const [to, from] of Object.entries(renames)) {
    if (!oldFields.has(from)) {
      throw new InvalidPatchError(`${where}: ${name} has no field "${from}" to rename to "${to}"`, {
        className: name,
        field: from,
      });
    }
  }
  return origins;
}

/** Every instance can take the new version's fields, and none was adopted by it before. */
function checkInstances(
  name: string,
  implementation: Function,
  instances: readonly object[],
): void {
  instances.forEach((object, i) => {
    if (!Object.isExtensible(object)) {
      throw new UnswappableObjectError(
        `${name} instance #${i} is not extensible, so the new version's fields cannot be installed on it`,
        { className: name, index: i, object },
      );
    }
    if (alreadyAdopted(implementation, object)) {
      throw new PrivateStateError(
        `${implementation.name} already installed its private fields on ${name} instance #${i} in an earlier attempt that failed; evaluate the new version again (a fresh class) to retry`,
        { className: name, index: i, object },
      );
    }
  });
}

function exportStates(
  name: string,
  oldImplementation: Function,
  exportHook: ExportHook | undefined,
  instances: readonly object[],
): unknown[] {
  return instances.map((object, i) => {
    if (!exportHook) return undefined;
    try {
      return Reflect.apply(exportHook, oldImplementation, [object]);
    } catch (error) {
      throw new MigrationError(
        `${name}.${EXPORT_HOOK} threw on instance #${i}: ${(error as Error)?.message ?? String(error)}`,
        { className: name, index: i, object, cause: error },
      );
    }
  });
}

/** Checks one replaceImplementation and exports its instances' private state; changes nothing. */
export function planAdoption(
  namespace: Namespace,
  op: ReplaceImplementation,
  index: number,
): AdoptionPlan {
  const name = op.className;
  const handle = namespace.classNamed(name);
  const { ctor: oldCtor, definition: oldDefinition } = currentVersion(handle);
  const implementation = op.implementation.fn as Constructor | undefined;
  const where = `replaceImplementation of ${name}`;
  if (typeof implementation !== "function") {
    throw new InvalidPatchError(`${where}: its class is not hydrated; call patch.hydrate() first`, {
      className: name,
      operation: index,
    });
  }
  checkPlace(namespace, name, oldDefinition, where);
  const oldImplementation = implementationOf(oldCtor);
  const exportHook = ownHook<ExportHook>(oldImplementation, EXPORT_HOOK);
  const importHook = ownHook<ImportHook>(implementation, IMPORT_HOOK);
  const read = readClassDefinition(implementation);
  const adopt = extendsAdoptable(implementation);
  checkCooperation(
    name,
    oldDefinition,
    implementation,
    { exportHook, importHook },
    { hasPrivateMembers: read.hasPrivateMembers, adopt },
  );
  const fields = read.fields.map((f) => f.name);
  const origins = fieldOrigins(fields, op, oldDefinition, where);
  const instances = namespace.finder.find(stablePrototype(handle));
  checkInstances(name, implementation, instances);
  const exported = exportStates(name, oldImplementation, exportHook, instances);
  const definition: ClassDefinition = {
    ...read,
    name,
    superclass: null,
    version: oldDefinition.version + 1,
  };
  return {
    className: name,
    handle,
    oldDefinition,
    oldImplementation,
    implementation,
    definition,
    adopt,
    importHook,
    origins,
    fields,
    instances,
    exported,
  };
}
