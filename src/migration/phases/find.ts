/**
 * Finding an eager update's instances before its pause (`update()` only):
 * the registry is read in slices between the program's tasks, and the
 * objects the migrating classes construct meanwhile are collected by a
 * construction observer, so that the pause itself does not enumerate the
 * registry. The result is used only if nothing else can have changed which
 * objects are instances since (same namespace version, no prototype change
 * by metamorph, no explicit `record`); otherwise the pause finds them
 * itself, as `updateSync` always does. The heap finder cannot be sliced
 * (one query is one block), so it is left to the pause.
 */
import { stablePrototype } from "../../mop/classHandle.js";
import { observeConstruction, type Undo } from "../../mop/classHandle.js";
import { membershipEpoch } from "../../mop/instances/finder.js";
import type { RegistryFinder } from "../../mop/instances/registryFinder.js";
import type { Namespace } from "../../namespace/namespace.js";
import type { Policy } from "../../patch/operations.js";
import type { Patch } from "../../patch/patch.js";
import { buildPhase } from "./build.js";
import { detectPhase } from "./detect.js";

/** Longest slice of the registry read in one task (ms). */
const SLICE_MS = 4;

export interface Prefound {
  /** The instances of the class with this prototype, or undefined if the pause must find them. */
  objectsFor(prototype: object): object[] | undefined;
  /** Stops collecting constructed objects. */
  release(): void;
}

/** Undefined when nothing can be found ahead (not eager, refused, heap finder, …). */
export async function findBeforePause(
  namespace: Namespace,
  patch: Patch,
  policy: Policy | undefined,
): Promise<Prefound | undefined> {
  if (namespace.finder.kind !== "registry") return undefined;
  const registry = namespace.finder as RegistryFinder;
  let handles: Function[];
  try {
    const built = buildPhase(namespace, patch, policy);
    if (built.policy !== "eager") return undefined;
    handles = [...detectPhase(built).migrating].map((name) =>
      namespace.classNamed(built.build.classes.get(name)!.oldName!),
    );
  } catch {
    return undefined; // refused: the pause refuses it again, with nothing changed
  }
  const version = namespace.version;
  const epoch = membershipEpoch();
  const found = new Map<object, Promise<object[] | undefined>>();
  const born = new Map<object, object[]>();
  const undos: Undo[] = [];
  // In one job: each list is read, then its observer installed, so that an
  // object is in exactly one of the two.
  for (const handle of handles) {
    const prototype = stablePrototype(handle);
    if (found.has(prototype)) continue;
    const constructed: object[] = [];
    found.set(prototype, registry.findInSlices(prototype, SLICE_MS));
    born.set(prototype, constructed);
    undos.push(observeConstruction(handle, (o) => constructed.push(o)));
  }
  const release = () => {
    for (const undo of undos.splice(0)) undo();
  };
  const lists = new Map<object, object[] | undefined>();
  try {
    for (const [prototype, pending] of found) lists.set(prototype, await pending);
  } catch (error) {
    release();
    throw error;
  }
  return {
    objectsFor(prototype) {
      if (namespace.version !== version || membershipEpoch() !== epoch) return undefined;
      const list = lists.get(prototype);
      if (list === undefined) return undefined;
      const constructed = born.get(prototype)!;
      for (let i = 0; i < constructed.length; i++) list.push(constructed[i]!);
      constructed.length = 0;
      return list;
    },
    release,
  };
}
