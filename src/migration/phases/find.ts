/**
 * Finding an eager update's instances before its pause (`update()` only),
 * so that the pause itself only migrates them:
 *
 * - the registry is read in slices between the program's tasks;
 * - the heap finder queries once, for every migrating class together
 *   (heapFinder.ts `findEach`), then lets the program run one task before
 *   the pause. That query is still a block the program sees (a full garbage
 *   collection and a walk over the whole heap); it is simply no longer
 *   inside the pause, where it would add to the time calls are held.
 *
 * In both cases the objects the migrating classes construct meanwhile are
 * collected by a construction observer, installed in the same job as the
 * reading starts (registry) or as the query ran (heap), so that each object
 * is in exactly one of the two. The result is used only if nothing else can
 * have changed which objects are instances since (same namespace snapshot, no
 * prototype change by metamorph, no explicit `record`); otherwise the pause
 * finds them itself, as `updateSync` always does. Objects the program puts on
 * a migrating prototype other than by constructing them through its handle
 * (`Object.create`, `Object.setPrototypeOf`) between the query and the pause
 * are not seen by the heap finder's early query; the registry never sees
 * them at all.
 */
import { stablePrototype } from "../../mop/classHandle.js";
import { observeConstruction, type Undo } from "../../mop/classHandle.js";
import { membershipEpoch } from "../../mop/instances/finder.js";
import type { HeapFinder } from "../../mop/instances/heapFinder.js";
import type { RegistryFinder } from "../../mop/instances/registryFinder.js";
import type { Namespace, NamespaceSnapshot } from "../../namespace/namespace.js";
import type { Policy } from "../../patch/operations.js";
import type { Patch } from "../../patch/patch.js";
import type { LogArrays } from "../logArrays.js";
import {
  type Ahead,
  aheadOf,
  builtAhead,
  type Migrating,
  prepareAhead,
  shadowedAhead,
} from "./ahead.js";
import { plainAhead } from "./plainAhead.js";

/** Longest slice of the registry read in one task (ms). */
const SLICE_MS = 4;

export interface Prefound {
  /** The instances of the class with this prototype, or undefined if the pause must find them. */
  objectsFor(prototype: object): object[] | undefined;
  /**
   * Arrays allocated before the pause for the migration logs
   * (migrationLog.ts), by class prototype; a log takes its entry out.
   */
  readonly arrays: Map<object, LogArrays>;
  /** The build and shadow made before the pause (ahead.ts), which the pause takes if still valid. */
  ahead: Ahead | undefined;
  /** By class prototype, how many objects of its list were found with plain written fields (plainAhead.ts). */
  plain: ReadonlyMap<object, number>;
  /** Instances of subclasses the heap query met below each class (heapFinder.ts `findEach`). */
  readonly below?: ReadonlyMap<object, readonly object[]>;
  /** How long the heap query blocked the program, before the pause (ms). */
  readonly queryMs?: number;
  /** Stops collecting constructed objects. */
  release(): void;
}

/** Undefined when nothing can be found ahead (not eager, refused, …). */
export async function findBeforePause(
  namespace: Namespace,
  patch: Patch,
  policy: Policy | undefined,
  /** No commit-step callback: a plan that carries every field can keep no old values (prepare.ts). */
  leanAllowed = false,
  /** Nor an event listener: the scan may leave unextensible objects to the rewrite (prepare.ts). */
  quiet = false,
): Promise<Prefound | undefined> {
  const migrating = builtAhead(namespace, patch, policy);
  if (migrating === undefined) return undefined;
  const { handles } = migrating;
  const { snapshot } = migrating;
  if (handles.length === 0) {
    const ahead = shadowedAhead(namespace, patch, policy, migrating);
    if (ahead === undefined) return undefined;
    // The program's waiting tasks run before the pause adds another block.
    await nextTask();
    return {
      objectsFor: () => undefined,
      arrays: new Map(),
      ahead,
      plain: new Map(),
      release() {},
    };
  }
  const finder = namespace.finder;
  let found: Prefound;
  if (finder.kind !== "heap") {
    found = await readBeforePause(namespace, finder as RegistryFinder, handles);
  } else {
    found = takeKept(namespace, handles) ?? queryNow(namespace, finder as HeapFinder, handles);
    // The query was one long block: the program's waiting tasks run before the pause adds another.
    await nextTask();
  }
  const { built, detected } = migrating;
  const ahead =
    namespace.snapshot === snapshot
      ? prepareAhead(
          namespace,
          built,
          detected,
          patch.name,
          found.objectsFor,
          found.arrays,
          leanAllowed,
          quiet,
        )
      : undefined;
  if (ahead) {
    found.ahead = aheadOf(patch, policy, migrating, ahead.shadowed);
    for (const warmUp of ahead.warmUps) {
      await nextTask();
      warmUp();
    }
    found.plain = await plainAhead(ahead.shadowed.plans, found.objectsFor, SLICE_MS, nextTask);
  }
  if (ahead?.done || (ahead?.warmUps.length ?? 0) > 0) {
    // That was a block of its own too (page faults for tens of megabytes at 10^6).
    await nextTask();
  }
  return found;
}

/** Instances being found ahead while the caller waits for its moment (the lifecycle). */
export interface Finding {
  /** What is found so far: the heap finder's answer at once, the registry's once its slices are read. */
  current(): Prefound | undefined;
  /** Releases what was found, and drops what is still being read when it arrives. */
  release(): void;
}

/**
 * Starts finding without making the caller wait for it (the lifecycle keeps
 * its own schedule: its hold starts when it always did): the heap finder
 * queries now, in this job; the registry is read in slices while the caller
 * waits, and is used only if done by the time the caller's block starts
 * (else the block finds the instances itself). Undefined when there is
 * nothing to find ahead.
 */
export function startFinding(
  namespace: Namespace,
  patch: Patch,
  policy: Policy | undefined,
): Finding | undefined {
  const handles = migratingHandles(namespace, patch, policy);
  if (handles === undefined) return undefined;
  const finder = namespace.finder;
  let found: Prefound | undefined;
  let released = false;
  if (finder.kind === "heap") {
    found = takeKept(namespace, handles) ?? queryNow(namespace, finder as HeapFinder, handles);
  } else {
    readBeforePause(namespace, finder as RegistryFinder, handles).then(
      (read) => {
        if (released) read.release();
        else found = read;
      },
      () => {}, // the block finds the instances itself, and reports what fails
    );
  }
  return {
    current: () => found,
    release() {
      released = true;
      found?.release();
    },
  };
}

/** The handles of the classes an eager update migrates; undefined if not eager, refused or none. */
function migratingHandles(
  namespace: Namespace,
  patch: Patch,
  policy: Policy | undefined,
): Function[] | undefined {
  return migratingClasses(namespace, patch, policy)?.handles;
}

function migratingClasses(
  namespace: Namespace,
  patch: Patch,
  policy: Policy | undefined,
): Migrating | undefined {
  const migrating = builtAhead(namespace, patch, policy);
  return migrating !== undefined && migrating.handles.length > 0 ? migrating : undefined;
}

/**
 * How long a dry run's heap query is kept for the update that follows it
 * (a prepared update's commit; its expiry is 60 s too). Meanwhile its lists
 * keep the instances they hold alive.
 */
const KEEP_MS = 60_000;

interface Kept {
  readonly found: Prefound;
  readonly timer: ReturnType<typeof setTimeout>;
}

const kept = new WeakMap<Namespace, Kept>();

/**
 * Heap finder only: the instances of the classes `patch` migrates, found
 * now in one query for the dry run (lifecycle/dryRun.ts) and kept, so that
 * the update that follows on this namespace (within KEEP_MS, nothing changed
 * meanwhile) does not query the heap a second time. Undefined for the
 * registry, whose dry run reads its lists itself. Do not release the result:
 * the update that takes it does, or its expiry.
 */
export function findAndKeep(namespace: Namespace, patch: Patch): Prefound | undefined {
  if (namespace.finder.kind !== "heap") return undefined;
  const handles = migratingHandles(namespace, patch, "eager");
  if (handles === undefined) return undefined;
  const found =
    takeKept(namespace, handles) ?? queryNow(namespace, namespace.finder as HeapFinder, handles);
  const timer = setTimeout(() => {
    if (kept.get(namespace)?.found !== found) return;
    kept.delete(namespace);
    found.release();
  }, KEEP_MS);
  (timer as { unref?: () => void }).unref?.();
  kept.set(namespace, { found, timer });
  return found;
}

/**
 * The query a dry run kept for `namespace` (`findAndKeep`), if it answers
 * for every class `patch` migrates: `updateSync` takes
 * it as `update()` does, instead of querying the heap again in its pause.
 * The caller releases it.
 */
export function takeKeptFor(
  namespace: Namespace,
  patch: Patch,
  policy: Policy | undefined,
): Prefound | undefined {
  const handles = kept.has(namespace) ? migratingHandles(namespace, patch, policy) : undefined;
  return handles && takeKept(namespace, handles);
}

/** Drops the query `findAndKeep` kept for `namespace`, if no update took it (its lists hold instances alive). */
export function dropKept(namespace: Namespace): void {
  const entry = kept.get(namespace);
  if (entry === undefined) return;
  kept.delete(namespace);
  clearTimeout(entry.timer);
  entry.found.release();
}

/** The kept query, if it still answers for every one of `handles` (else it is dropped). */
function takeKept(namespace: Namespace, handles: readonly Function[]): Prefound | undefined {
  const entry = kept.get(namespace);
  if (entry === undefined) return undefined;
  kept.delete(namespace);
  clearTimeout(entry.timer);
  if (handles.every((handle) => entry.found.objectsFor(stablePrototype(handle)) !== undefined)) {
    return entry.found;
  }
  entry.found.release();
  return undefined;
}

/** Registry: every list read in slices, constructions observed from the first slice on. */
async function readBeforePause(
  namespace: Namespace,
  registry: RegistryFinder,
  handles: readonly Function[],
): Promise<Prefound> {
  const snapshot = namespace.snapshot;
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
  return prefound(namespace, snapshot, epoch, lists, born, release);
}

/** Heap: one query for every migrating class, constructions observed from the end of that same job on. */
function queryNow(namespace: Namespace, heap: HeapFinder, handles: readonly Function[]): Prefound {
  const snapshot = namespace.snapshot;
  const epoch = membershipEpoch();
  const prototypes = [...new Set(handles.map(stablePrototype))];
  const below = new Map<object, object[]>();
  const started = performance.now();
  const lists: Map<object, object[] | undefined> = heap.findEach(prototypes, below);
  const queryMs = performance.now() - started;
  const born = new Map<object, object[]>();
  const undos: Undo[] = [];
  for (const handle of handles) {
    const prototype = stablePrototype(handle);
    if (born.has(prototype)) continue;
    const constructed: object[] = [];
    born.set(prototype, constructed);
    undos.push(observeConstruction(handle, (o) => constructed.push(o)));
  }
  const release = () => {
    for (const undo of undos.splice(0)) undo();
  };
  return { ...prefound(namespace, snapshot, epoch, lists, born, release), below, queryMs };
}

const nextTask = (): Promise<void> =>
  new Promise((resolve) =>
    typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

function prefound(
  namespace: Namespace,
  snapshot: NamespaceSnapshot,
  epoch: number,
  lists: Map<object, object[] | undefined>,
  born: Map<object, object[]>,
  release: () => void,
): Prefound {
  return {
    objectsFor(prototype) {
      if (namespace.snapshot !== snapshot || membershipEpoch() !== epoch) return undefined;
      const list = lists.get(prototype);
      if (list === undefined) return undefined;
      const constructed = born.get(prototype)!;
      for (let i = 0; i < constructed.length; i++) list.push(constructed[i]!);
      constructed.length = 0;
      return list;
    },
    arrays: new Map(),
    ahead: undefined,
    plain: new Map(),
    release,
  };
}
