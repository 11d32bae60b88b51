/**
 * Private `#` state across an update, by cooperation.
 *
 * Reflection cannot see private fields, and methods of a new class version
 * throw on objects that lack the new version's private "brand". Two things
 * make an update possible anyway (DESIGN.md):
 *
 * - **Export**: only code written inside the old class can read its private
 *   fields, so the old version must carry a hook, `static
 *   metamorphExport(instance)`, returning the instance's private state in a
 *   format the class declares. A class that will ever need a live update of
 *   its private state ships this hook.
 * - **Install**: a derived class's field initialisers run on whatever object
 *   its base constructor returns (the "return override"). The new version
 *   extends `Adoptable`, whose constructor returns the existing object while
 *   metamorph adopts it, so `Reflect.construct(NewVersion)` installs the new
 *   version's private fields (and brand) on the live object, keeping its
 *   identity. The new version's `static metamorphImport(instance, state)`
 *   then writes the exported state into them.
 *
 * Public fields follow names (and the operation's `renames`) as in any
 * `replaceImplementation`; new public fields take the value the new
 * version's initialisers gave them. The old version's private fields stay on
 * each object (nothing can remove them) but no code reads them any more; they
 * are freed with the object.
 *
 * The whole update is one synchronous block: every check and every export
 * runs before anything changes, and a failure part-way through adoption
 * restores every object's public fields and the class as they were (the new
 * version's brand cannot be removed from objects adopted before the failure;
 * it is invisible, but the same class object cannot adopt them twice, so a
 * retry needs the new version evaluated afresh — said so up front).
 *
 * Scope: a root class (no managed superclass) without managed subclasses;
 * eager only (a lazily migrated object would meet new methods before it has
 * their brand). The adopting constructor runs with no arguments; code in it
 * that must not run for an existing object checks `Adoptable.isAdopting(this)`.
 */
import { performance } from "node:perf_hooks";
import {
  CommitError,
  InvalidPatchError,
  MigrationError,
  PrivateStateError,
  RollbackError,
  UnswappableObjectError,
} from "../errors.js";
import type { ClassDefinition } from "../mop/classDefinition.js";
import { currentVersion, stablePrototype } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import { METHOD_HOME } from "../mop/createClass.js";
import { readClassDefinition } from "../mop/readClassDefinition.js";
import type { ReplaceRecord } from "../namespace/bulkReplace.js";
import { replaceNamespace } from "../namespace/bulkReplace.js";
import type { Namespace } from "../namespace/namespace.js";
import { cloneNamespace } from "../namespace/shadow.js";
import { rewriteFields } from "../migration/instanceMigration.js";
import type { Operation } from "../patch/operations.js";
import type { UpdateEvent } from "../migration/update.js";

/** The object the next Adoptable constructor returns instead of a fresh one. */
let adoptee: object | undefined;
/** The object being adopted, for the whole of the adopting construction. */
let adopting: object | undefined;

/**
 * Base class for new versions that bring private `#` fields to existing
 * objects. For ordinary `new`, it is an empty base class.
 */
export class Adoptable {
  constructor() {
    const target = adoptee;
    if (target !== undefined) {
      adoptee = undefined;
      // Return override: the derived constructor's fields are installed on `target`.
      // biome-ignore lint/correctness/noConstructorReturn: this is the technique
      return target as Adoptable;
    }
  }

  /** True while `instance` is being adopted by a new version (its constructor runs on an existing object). */
  static isAdopting(instance: object): boolean {
    return adopting !== undefined && adopting === instance;
  }
}

/** The hooks' names, as a class writes them. */
export const EXPORT_HOOK = "metamorphExport";
export const IMPORT_HOOK = "metamorphImport";

type ExportHook = (instance: object) => unknown;
type ImportHook = (instance: object, state: unknown) => void;

/** New version → the ordinary class it forwards to (for versions this module made). */
const implementations = new WeakMap<Function, Constructor>();
/** Objects each new-version class has adopted (it cannot adopt them twice). */
const adoptedBy = new WeakMap<Function, WeakSet<object>>();

/** The class whose code a handle's current version runs (the ordinary class behind a forwarding version). */
function implementationOf(version: Function): Function {
  return implementations.get(version) ?? version;
}

function extendsAdoptable(cls: Function): boolean {
  for (
    let p: unknown = Object.getPrototypeOf(cls);
    typeof p === "function";
    p = Object.getPrototypeOf(p)
  ) {
    if (p === Adoptable) return true;
  }
  return false;
}

function ownHook<F>(cls: Function, name: string): F | undefined {
  const d = Object.getOwnPropertyDescriptor(cls, name);
  return d && typeof d.value === "function" ? (d.value as F) : undefined;
}

type ReplaceImplementation = Extract<Operation, { op: "replaceImplementation" }>;

interface AdoptionPlan {
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

/**
 * Whether a replaceImplementation needs the cooperative path: the old
 * version has private members, or the new one has them or extends Adoptable.
 */
export function needsAdoption(namespace: Namespace, op: ReplaceImplementation): boolean {
  if (!namespace.has(op.className)) return false;
  const binding = namespace.binding(op.className);
  if (binding.kind !== "class") return false;
  if (binding.definition.hasPrivateMembers) return true;
  const impl = op.implementation.fn;
  if (typeof impl !== "function") return false;
  if (extendsAdoptable(impl)) return true;
  return readClassDefinition(impl).hasPrivateMembers;
}

function plan(namespace: Namespace, op: ReplaceImplementation, index: number): AdoptionPlan {
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
  const oldImplementation = implementationOf(oldCtor);
  const exportHook = ownHook<ExportHook>(oldImplementation, EXPORT_HOOK);
  const importHook = ownHook<ImportHook>(implementation, IMPORT_HOOK);
  const read = readClassDefinition(implementation);
  const adopt = extendsAdoptable(implementation);
  if (oldDefinition.hasPrivateMembers && !exportHook) {
    throw new PrivateStateError(
      `class ${name} declares private # members, which only its own code can read, and it has no export hook: add \`static ${EXPORT_HOOK}(instance) { return { /* its private state */ }; }\` to class ${name} (the version running now), and \`static ${IMPORT_HOOK}(instance, state)\` to the new version`,
      { className: name, hook: EXPORT_HOOK },
    );
  }
  if (oldDefinition.hasPrivateMembers && !importHook) {
    throw new PrivateStateError(
      `class ${name} exports its private state but the new version ${implementation.name} cannot take it: add \`static ${IMPORT_HOOK}(instance, state) { … }\` to ${implementation.name}`,
      { className: name, hook: IMPORT_HOOK },
    );
  }
  if (read.hasPrivateMembers && !adopt) {
    throw new PrivateStateError(
      `the new version ${implementation.name} of ${name} declares private # members, which existing objects do not have: make it \`extends Adoptable\` (from metamorph) so they are installed on them`,
      { className: name, implementation: implementation.name },
    );
  }
  const fields = read.fields.map((f) => f.name);
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
  const instances = namespace.finder.find(stablePrototype(handle));
  const already = adoptedBy.get(implementation);
  instances.forEach((object, i) => {
    if (!Object.isExtensible(object)) {
      throw new UnswappableObjectError(
        `${name} instance #${i} is not extensible, so the new version's fields cannot be installed on it`,
        { className: name, index: i, object },
      );
    }
    if (already?.has(object)) {
      throw new PrivateStateError(
        `${implementation.name} already installed its private fields on ${name} instance #${i} in an earlier attempt that failed; evaluate the new version again (a fresh class) to retry`,
        { className: name, index: i, object },
      );
    }
  });
  const exported = instances.map((object, i) => {
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

/**
 * The version constructor installed on the handle: it builds fresh objects
 * through the new class (on the stable prototype) and names the new class's
 * prototype as the home of the methods to install. The handle never sees the
 * new class itself, so re-parenting at commit (which follows the namespace's
 * superclass, none here) leaves `extends Adoptable` intact.
 */
function versionConstructor(
  handle: Constructor,
  implementation: Constructor,
  name: string,
): Constructor {
  const ctor = function (this: unknown, ...args: unknown[]): object {
    if (new.target === undefined)
      throw new TypeError(`Class constructor ${name} cannot be invoked without 'new'`);
    return Reflect.construct(implementation, args, new.target) as object;
  };
  Object.defineProperty(ctor, "name", { value: name, configurable: true });
  ctor.prototype = stablePrototype(handle);
  for (const key of Reflect.ownKeys(implementation)) {
    if (key === "length" || key === "name" || key === "prototype") continue;
    Object.defineProperty(ctor, key, Reflect.getOwnPropertyDescriptor(implementation, key)!);
  }
  Object.defineProperty(ctor, METHOD_HOME, {
    value: implementation.prototype,
    writable: false,
    enumerable: false,
    configurable: true,
  });
  implementations.set(ctor, implementation);
  return ctor as unknown as Constructor;
}

interface Adopted {
  readonly object: object;
  readonly plan: AdoptionPlan;
  readonly oldKeys: readonly string[];
  readonly oldValues: readonly unknown[];
}

function adoptOne(plan: AdoptionPlan, object: object, state: unknown): Adopted {
  const record = object as Record<string, unknown>;
  const oldKeys = Object.keys(object);
  const oldValues = oldKeys.map((k) => record[k]);
  const adopted: Adopted = { object, plan, oldKeys, oldValues };
  if (plan.adopt) {
    adoptee = object;
    adopting = object;
    try {
      const result = Reflect.construct(plan.implementation, [], plan.implementation);
      if (result !== object) {
        throw new TypeError(
          `${plan.implementation.name}'s constructor returned another object; an adopting constructor must not return one`,
        );
      }
    } finally {
      adoptee = undefined;
      adopting = undefined;
    }
    let set = adoptedBy.get(plan.implementation);
    if (!set) adoptedBy.set(plan.implementation, (set = new WeakSet()));
    set.add(object);
  }
  const values = plan.fields.map((field) => {
    const from = plan.origins.get(field)!;
    const i = oldKeys.indexOf(from);
    return i >= 0 ? oldValues[i] : record[field];
  });
  rewriteFields(object, Object.keys(object), plan.fields, values);
  if (plan.importHook) Reflect.apply(plan.importHook, plan.implementation, [object, state]);
  return adopted;
}

function restorePublic(a: Adopted): void {
  rewriteFields(a.object, Object.keys(a.object), a.oldKeys, a.oldValues);
}

export interface AdoptionResult {
  readonly classes: readonly string[];
  readonly instancesAdopted: number;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** How long the program could not run (ms): checks, exports and the commit, one synchronous block. */
  readonly pauseMs: number;
  readonly state: () => "committed" | "permanent" | "rolled-back";
  /**
   * Reverts to the old versions. Public values written since the commit to
   * fields both versions have are kept. Private state goes back through the
   * hooks the other way round when the old version has `metamorphImport` and
   * the new one `metamorphExport`; otherwise the old private fields hold what
   * they held at the commit. Refused (nothing changed) if objects were made by
   * the new version since the commit and the old version cannot adopt them.
   */
  rollback(): void;
  /** Drops what rollback needs. */
  makePermanent(): void;
  /** Live objects that still carry a retired version's private fields (freed with the objects). */
  retiredPrivateState(): number;
}

/**
 * Applies replaceImplementation operations that need cooperation for private
 * state, all or nothing, in one synchronous block.
 */
export function applyAdoptions(
  namespace: Namespace,
  patchName: string,
  operations: readonly ReplaceImplementation[],
  onEvent?: (event: UpdateEvent) => void,
): AdoptionResult {
  const t0 = performance.now();
  const emit = (
    phase: UpdateEvent["phase"],
    status: UpdateEvent["status"],
    detail?: Record<string, unknown>,
  ) =>
    onEvent?.({
      phase,
      status,
      patch: patchName,
      ms: performance.now() - t0,
      ...(detail ? { detail } : {}),
    });
  emit("migrate", "start", { cooperative: true });
  let plans: AdoptionPlan[];
  try {
    plans = operations.map((op, i) => plan(namespace, op, i));
  } catch (error) {
    emit("migrate", "failed", { error: (error as Error)?.message });
    throw error;
  }
  emit("commit", "start");
  const fromVersion = namespace.version;
  const shadow = cloneNamespace(namespace);
  for (const p of plans) {
    shadow.changeClass(
      p.className,
      p.definition,
      versionConstructor(p.handle, p.implementation, p.className),
    );
  }
  const adopted: Adopted[] = [];
  let record: ReplaceRecord;
  try {
    record = replaceNamespace(namespace, shadow);
    try {
      for (const p of plans) {
        p.instances.forEach((object, i) => {
          adopted.push(adoptOne(p, object, p.exported[i]));
        });
      }
    } catch (error) {
      for (let i = adopted.length - 1; i >= 0; i--) restorePublic(adopted[i]!);
      record.undo();
      throw error;
    }
  } catch (error) {
    emit("commit", "failed", { error: (error as Error)?.message });
    throw new CommitError(
      `the cooperative update of ${plans.map((p) => p.className).join(", ")} (patch ${patchName}) failed after ${adopted.length} objects and was undone: ${(error as Error)?.message ?? String(error)}`,
      { patch: patchName, applied: adopted.length, cause: error },
    );
  }
  const pauseMs = performance.now() - t0;
  emit("commit", "end", { migrated: adopted.length });
  const toVersion = namespace.version;
  let state: "committed" | "permanent" | "rolled-back" = "committed";
  const retired = new WeakSet<object>();
  for (const a of adopted) if (a.plan.oldDefinition.hasPrivateMembers) retired.add(a.object);
  return {
    classes: plans.map((p) => p.className),
    instancesAdopted: adopted.length,
    fromVersion,
    toVersion,
    pauseMs,
    state: () => state,
    retiredPrivateState: () =>
      plans.reduce(
        (n, p) =>
          n + namespace.finder.find(stablePrototype(p.handle)).filter((o) => retired.has(o)).length,
        0,
      ),
    makePermanent() {
      if (state !== "committed")
        throw new RollbackError(`update ${patchName} is already ${state}`, { patch: patchName });
      state = "permanent";
      adopted.length = 0;
    },
    rollback() {
      if (state !== "committed") {
        throw new RollbackError(`update ${patchName} is ${state} and cannot be rolled back`, {
          patch: patchName,
          state,
        });
      }
      if (namespace.version !== toVersion) {
        throw new RollbackError(
          `update ${patchName} was followed by another update (namespace ${namespace.name} is at version ${namespace.version}); roll that back first`,
          { patch: patchName },
        );
      }
      const known = new Set(adopted.map((a) => a.object));
      for (const p of plans) {
        if (!p.oldDefinition.hasPrivateMembers) continue;
        const made = namespace.finder.find(stablePrototype(p.handle)).filter((o) => !known.has(o));
        if (made.length > 0) {
          throw new RollbackError(
            `${made.length} ${p.className} objects were made by the new version since the commit; they lack the old version's private fields, so update ${patchName} cannot be rolled back`,
            { patch: patchName, className: p.className, objects: made.length },
          );
        }
      }
      for (const a of adopted) {
        const { object, plan: p } = a;
        const current = object as Record<string, unknown>;
        const back = ownHook<ImportHook>(p.oldImplementation, IMPORT_HOOK);
        const forth = ownHook<ExportHook>(p.implementation, EXPORT_HOOK);
        if (back && forth)
          Reflect.apply(back, p.oldImplementation, [
            object,
            Reflect.apply(forth, p.implementation, [object]),
          ]);
        const reverse = new Map([...p.origins].map(([to, from]) => [from, to] as const));
        const values = a.oldKeys.map((k, i) => {
          const now = reverse.get(k);
          return now !== undefined && Object.hasOwn(current, now) ? current[now] : a.oldValues[i];
        });
        rewriteFields(object, Object.keys(object), a.oldKeys, values);
      }
      // Objects the new version made since the commit take the old layout too.
      for (const p of plans) {
        const reverse = new Map([...p.origins].map(([to, from]) => [from, to] as const));
        const oldFields = p.oldDefinition.fields.map((f) => f.name);
        for (const object of namespace.finder.find(stablePrototype(p.handle))) {
          if (known.has(object)) continue;
          const current = object as Record<string, unknown>;
          const values = oldFields.map((k) => {
            const now = reverse.get(k);
            return now !== undefined ? current[now] : undefined;
          });
          rewriteFields(object, Object.keys(object), oldFields, values);
        }
      }
      record.undo();
      state = "rolled-back";
    },
  };
}
