/**
 * Members of a running prototype that no update can change: a
 * non-configurable method or accessor (winston's `Logger.prototype.transports`,
 * defined with `configurable: false`) can be neither redefined nor deleted.
 * Installing a version copies its members onto the class's stable prototype
 * (mop/prototypeMembers.ts), and a lazy or progressive update wraps each of
 * them in a guard: both would fail part-way through the commit. Refused
 * here, before anything changes and before any code of the patch runs
 * (migrators, initialisers, validations, hooks), naming the member.
 *
 * What stays: a member the new version has the same — the same function,
 * or one of the same source, when keeping the running one is what the new
 * version would do. That holds for a version metamorph builds (its member
 * is the running one or compiled again from the same source, where the
 * running one keeps its own module's scope), for an implementation the patch
 * says shares the running one's module scope (`sameScope`), and for one from
 * another evaluation of the module (a package's next release) whose member
 * reads nothing of its module: only `this`, its parameters and standard
 * globals. One that reads its module would run the old module's code
 * against the new release's: refused.
 */
import type { ClassDefinition, MethodDefinition } from "../mop/classDefinition.js";
import { propertyToMemberKey, sameMemberKey } from "../mop/classDefinition.js";
import { constructorOfDefinition, PROTOTYPE_SKIP, stablePrototype } from "../mop/classHandle.js";
import { homeOf } from "../mop/classVersions.js";
import {
  isMethodDescriptor,
  nonConfigurableError,
  sameDescriptor,
  sameSource,
} from "../mop/prototypeMembers.js";
import { functionReadsModuleScope } from "../mop/source/parse.js";
import type { Namespace } from "../namespace/namespace.js";
import type { BuildResult, ClassBuild } from "./build.js";

/** The own non-configurable members of `prototype` (keys and descriptors). */
function nonConfigurable(prototype: object): [PropertyKey, PropertyDescriptor][] {
  const out: [PropertyKey, PropertyDescriptor][] = [];
  for (const key of Reflect.ownKeys(prototype)) {
    if (PROTOTYPE_SKIP.has(key)) continue;
    const d = Reflect.getOwnPropertyDescriptor(prototype, key)!;
    if (!d.configurable) out.push([key, d]);
  }
  return out;
}

/**
 * Refuses (UnswappableObjectError, rule `non-configurable-member`) a patch
 * whose new version of a class would replace or remove a non-configurable
 * member of the class's running prototype.
 */
export function refuseUnchangeableMembers(
  namespace: Namespace,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  build: BuildResult,
): void {
  const bindings = namespace.snapshot.bindings;
  for (const [name, cls] of build.classes) {
    if (cls.oldName === null) continue;
    const binding = bindings[cls.oldName];
    const old = oldDefs.get(cls.oldName);
    // A class whose definition the patch leaves has its members as they are.
    if (binding?.kind !== "class" || old === undefined) continue;
    if (!cls.implementation && cls.definition === old) continue;
    const members = nonConfigurable(stablePrototype(binding.handle));
    if (members.length === 0) continue;
    for (const [key, current] of members) {
      const reason = cls.implementation
        ? implementationChange(cls, old, key, current)
        : definitionChange(old, cls.definition, key, current);
      if (reason !== undefined) {
        throw nonConfigurableError(name, key, current, reason.next, reason.text);
      }
    }
  }
}

interface Change {
  /** The new version's member, or undefined when it has none. */
  readonly next: PropertyDescriptor | undefined;
  readonly text?: string;
}

/** What a new implementation (handed in or derived) would do to the member, or undefined when it stays. */
function implementationChange(
  cls: ClassBuild,
  old: ClassDefinition,
  key: PropertyKey,
  current: PropertyDescriptor,
): Change | undefined {
  const next = Reflect.getOwnPropertyDescriptor(homeOf(cls.implementation!), key);
  // A data property stays as it is unless the version has a method there.
  if (!isMethodDescriptor(current) && !isMethodDescriptor(next)) return undefined;
  if (next === undefined) return { next };
  if (sameDescriptor(current, next)) return undefined;
  if (!sameSource(current, next)) return { next };
  const sameScope =
    cls.implementationDerived === true ||
    cls.sameScope === true ||
    constructorOfDefinition(old) === cls.implementation;
  if (sameScope || !partsReadModule(current)) return undefined;
  return {
    next,
    text: "the new version's has the same source but reads names of its own module (another evaluation of it), so neither the running one nor the new one can stand for it; pass { sameScope: true } to replaceImplementation if the new class was evaluated in the running version's module scope",
  };
}

/** The same for a version metamorph generates from the new definition (no implementation yet). */
function definitionChange(
  old: ClassDefinition,
  definition: ClassDefinition,
  key: PropertyKey,
  current: PropertyDescriptor,
): Change | undefined {
  const member = propertyToMemberKey(key);
  const entries = (d: ClassDefinition): MethodDefinition[] =>
    d.methods.filter((m) => !m.static && sameMemberKey(m.key, member));
  const before = entries(old);
  const after = entries(definition);
  if (!isMethodDescriptor(current) && after.length === 0) return undefined;
  if (after.length === 0) return { next: undefined };
  const same =
    before.length === after.length &&
    before.every((m, i) => m.kind === after[i]!.kind && m.source === after[i]!.source);
  return same ? undefined : { next: current };
}

/** Whether a function of the member reads a name it does not bind other than a standard global. */
function partsReadModule(d: PropertyDescriptor): boolean {
  return [d.value, d.get, d.set].some((f) => typeof f === "function" && readsModule(f));
}

function readsModule(f: Function): boolean {
  try {
    return functionReadsModuleScope(f);
  } catch {
    // No parser here (the Vite page runtime reads sources on the dev server): assume it does.
    return true;
  }
}

/**
 * A lazy or progressive update wraps every method and accessor of each
 * migrating class's prototype in a guard that migrates the object first:
 * a non-configurable one cannot be wrapped. Refused for those policies
 * (eager migrates every object in the commit and needs no guard).
 */
export function refuseUnguardableMembers(
  namespace: Namespace,
  build: BuildResult,
  migrating: ReadonlySet<string>,
): void {
  const bindings = namespace.snapshot.bindings;
  for (const name of migrating) {
    const oldName = build.classes.get(name)?.oldName;
    const binding = oldName == null ? undefined : bindings[oldName];
    if (binding?.kind !== "class") continue;
    for (const [key, current] of nonConfigurable(stablePrototype(binding.handle))) {
      if (!isMethodDescriptor(current)) continue;
      throw nonConfigurableError(
        name,
        key,
        current,
        current,
        "a lazy or progressive update wraps every method and accessor of the class in a guard that migrates the object first, which it cannot be",
        "Apply this update eagerly (its objects migrate in the commit and need no guard), or restart the program to load the new version",
      );
    }
  }
}
