// size: one backend, its tables and the closure over them: the hot path
// (recordConstructed) and what it triggers (a subclass's list, the growth
// check, compaction) read the same private tables.
/**
 * The registry finder records a `WeakRef` to each instance when it is
 * constructed (opt-in per prototype), at a small cost on every construction
 * and a `deref()` per object when enumerating.
 *
 * What the specification allows: the `WeakRef` constructor (and each
 * `deref()`) adds its target to the kept-alive set (AddToKeptObjects),
 * emptied only when the current job ends: an object recorded at construction
 * lives at least until its job ends — N temporaries made in one job all stay
 * alive until then, and V8 aborts past ~2^24 (`Heap::KeepDuringJob`). That
 * `WeakRef` is the cost per construction (the lookups around it are noise).
 * No finder without the inspector can do better: enumerating an object later
 * without keeping it alive takes a `WeakRef` made while it lives; a strong
 * nursery keeps it longer, and skipping objects loses them for later updates.
 */
import { MetamorphError } from "../../errors.js";
import { isRevokedProxy } from "../../valueKinds.js";
import { noteRecorded } from "../proxyObjects.js";
import { unreadableError } from "../unreadableObjects.js";
import type { FindOptions, InstanceFinder } from "./finder.js";
import {
  chainContains,
  getPrototypeOf,
  isNotInstance,
  isPrototypeObject,
  noteMembershipChange,
  onClassPrototypes,
  onMixinOf,
  perObjectHome,
} from "./finder.js";
import { readInSlices } from "./registrySlices.js";
import { shadowCopiesMarked } from "./shadowCopies.js";

/** What the registry holds, for tests and monitoring. */
export interface RegistryStats {
  /** Enabled prototypes still alive. */
  readonly prototypes: number;
  /** `WeakRef` slots held across all prototypes, cleared ones included until the next compaction. */
  readonly references: number;
  /** Lists compacted because sampled finalizations showed that many of their objects died. */
  readonly compactions: number;
  /** Lists compacted by the growth backstop, because finalization did not report in time. */
  readonly backstopCompactions: number;
}

export interface RegistryFinderOptions {
  /**
   * Watch a sample of recorded objects with a FinalizationRegistry so that
   * lists are compacted soon after many of their objects die (default true).
   * Without it, lists are compacted only by queries and by the growth backstop.
   */
  readonly finalization?: boolean;
}

/**
 * Knows only objects recorded while their prototype was enabled: `find` on a
 * prototype that was never enabled returns its enabled subclasses' instances
 * (includeSubclasses) or nothing. An object moved onto a prototype that is not
 * enabled is found only through the lists it was recorded in.
 */
export interface RegistryFinder extends InstanceFinder {
  readonly kind: "registry";
  stats(): RegistryStats;
  /**
   * A copy of the references recorded under exactly `prototype`, not yet
   * dereferenced: a caller can walk it in slices across event-loop tasks (the
   * progressive sweep) instead of paying for a whole `find` in one task. It
   * may hold cleared references and objects that have since moved to another
   * prototype; check each one. With `end`, only the first `end` of them.
   */
  snapshot(prototype: object, end?: number): readonly WeakRef<object>[];
  /**
   * `find(prototype)` spread over event-loop tasks, each slice at most about
   * `sliceMs` long, so that no task dereferences every instance (each
   * `deref()` keeps its object alive until the task ends, and that set's
   * growth is what makes one long enumeration slow). The list is read when
   * called; objects recorded afterwards are not included. Resolves to
   * undefined when the list may hold an object twice (`record` was called),
   * or when a read of one of its objects threw (a Proxy's trap): use `find`
   * then.
   */
  findInSlices(prototype: object, sliceMs: number): Promise<object[] | undefined>;
  /** The enabled prototypes still alive. */
  prototypes(): object[];
  /**
   * Replaces the list of each enabled prototype in `lists` with exactly its
   * objects (the answer of a heap query: each object once, on its exact
   * prototype): what the adaptive finder records when it returns from the
   * heap query to the registry.
   */
  reseed(lists: ReadonlyMap<object, readonly object[]>): void;
}

interface RegistryEntry {
  /** Weak so that an abandoned class version (and its list) can be collected. */
  readonly prototype: WeakRef<object>;
  refs: WeakRef<object>[];
  /** Deaths among `refs` since the last compaction, estimated from sampled finalizations. */
  estimatedDeaths: number;
  /** `refs.length` at which `record` next checks that finalization still reports deaths. */
  checkAt: number;
  /** Set at the last check; cleared when finalization reports its death. */
  sentinel: Sentinel | null;
  /**
   * `record` (not `recordConstructed`) added to this list since it was last
   * deduplicated: it may hold an object twice, or a marked shadow copy.
   */
  recordedExplicitly: boolean;
  /** `record` ever added to this list: an object may sit in another list too. */
  everRecordedExplicitly: boolean;
}

/** Held value of a throw-away object registered at a growth check, to see whether finalization runs. */
interface Sentinel {
  readonly entry: RegistryEntry;
  /**
   * The throw-away object. A WeakRef is cleared by the very collection that
   * queues the finalization callback, so "cleared but not reported" means the
   * callback is late; a WeakRef made in a job also pins the object until the
   * job ends, when nothing recorded in it could have died yet anyway.
   */
  readonly target: WeakRef<object>;
  /** A growth check already found the target collected but its death unreported. */
  overdue: boolean;
}

/**
 * Only about one recorded object in SAMPLE_MEAN_GAP is watched for death: a
 * FinalizationRegistry registration per construction would cost about a third
 * again of the WeakRef itself, and an estimate is enough to decide when half of
 * a list is dead and worth compacting. Gaps are pseudo-random so that periodic
 * allocation patterns (every other object dies) cannot alias with the sampling.
 */
const SAMPLE_MEAN_GAP = 16;
/** Fewer dead slots than this are not worth a pass over the list. */
const MIN_DEATHS_TO_COMPACT = 512;
/** First list length at which `record` checks that finalization is working. */
const FIRST_GROWTH_CHECK = 4096;

/** The registry's mutable state, shared by the functions below. */
interface Registry {
  readonly useFinalization: boolean;
  readonly byPrototype: WeakMap<object, RegistryEntry>;
  /** Enumerable twin of byPrototype, for includeSubclasses queries. */
  readonly entries: Set<RegistryEntry>;
  readonly deathWatch: FinalizationRegistry<RegistryEntry | Sentinel>;
  compactions: number;
  backstopCompactions: number;
  /** Constructions until the next sampled one; with finalization off, sampling never comes due. */
  sampleCountdown: number;
  sampleSeed: number;
}

function nextSampleGap(registry: Registry): number {
  // xorshift32: cheap, and only runs once per sampled object.
  let seed = registry.sampleSeed;
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  registry.sampleSeed = seed;
  return 1 + ((seed >>> 0) % (2 * SAMPLE_MEAN_GAP - 1));
}

function onFinalized(registry: Registry, held: RegistryEntry | Sentinel): void {
  if ("overdue" in held) {
    if (held.entry.sentinel === held) held.entry.sentinel = null;
    return;
  }
  held.estimatedDeaths += SAMPLE_MEAN_GAP;
  if (
    held.estimatedDeaths >= MIN_DEATHS_TO_COMPACT &&
    held.estimatedDeaths * 2 >= held.refs.length &&
    registry.entries.has(held)
  ) {
    compact(registry, held, null);
    registry.compactions++;
  }
}

/**
 * One pass over an entry's list: drops cleared refs, duplicate refs, and refs
 * to objects that now sit on another enabled prototype (they were re-recorded
 * there, which owns them now); hands every kept object to `visit` unless an
 * earlier list of the same query already did (`seen` maps each object to the
 * list that reported it; a ref is dropped only as a duplicate in its own list,
 * so every list stays complete for later queries).
 */
function compact(
  registry: Registry,
  entry: RegistryEntry,
  visit: ((object: object, current: object | null) => void) | null,
  seen?: Map<object, RegistryEntry>,
): void {
  // A list fed only by constructions holds each object once: no duplicate
  // check, so a query of 10^6 objects builds no 10^6-entry map.
  const dedupe = seen ?? (entry.recordedExplicitly ? new Map<object, RegistryEntry>() : null);
  const home = entry.prototype.deref();
  const refs = entry.refs;
  const byPrototype = registry.byPrototype;
  let kept = 0;
  let i = 0;
  // One guard around the loop: a Proxy's trap may throw on any read of an
  // object (its prototype, its `constructor`). A revoked Proxy throws on
  // every read: a dead object, dropped as a collected one is, and the pass
  // goes on after it.
  for (;;) {
    try {
      for (; i < refs.length; i++) {
        const ref = refs[i]!;
        const object = ref.deref();
        if (object === undefined) continue;
        const current = getPrototypeOf(object) as object | null;
        if (current !== home && current !== null && byPrototype.has(current)) continue;
        if (dedupe !== null) {
          const reporter = dedupe.get(object);
          if (reporter === entry) continue;
          refs[kept++] = ref;
          if (reporter !== undefined) continue;
          dedupe.set(object, entry);
        } else refs[kept++] = ref;
        if (visit !== null) visit(object, current);
      }
      break;
    } catch (error) {
      const object = refs[i]!.deref();
      if (object === undefined || !isRevokedProxy(object)) {
        throw unreadableAt(refs, i, kept, home, error);
      }
      // Kept already where `visit` threw: taken back, so that it is listed nowhere.
      if (kept > 0 && refs[kept - 1] === refs[i]) kept--;
      i++;
    }
  }
  refs.length = kept;
  entry.estimatedDeaths = 0;
  // With a map shared across lists, an object first reported by another list
  // is kept here however often it appears, so only a local check dedupes.
  if (seen === undefined) entry.recordedExplicitly = false;
}

/**
 * The list compaction left when a read of `refs[i]` threw: the references
 * from `i` on (that one once) are moved down after the `kept` first, so
 * that none is lost or listed twice; then the refusal of that object
 * (MM_UNSWAPPABLE_OBJECT, rule `unreadable`: ../unreadableObjects.ts),
 * or the error itself if it is one of metamorph's.
 */
function unreadableAt(
  refs: WeakRef<object>[],
  i: number,
  kept: number,
  home: object | undefined,
  error: unknown,
): unknown {
  const object = refs[i]?.deref();
  // Its `visit` threw: it is kept already.
  const listed = kept > 0 && refs[kept - 1] === refs[i];
  const index = listed ? kept - 1 : kept;
  let from = listed ? i + 1 : i;
  let to = kept;
  while (from < refs.length) refs[to++] = refs[from++]!;
  refs.length = to;
  if (error instanceof MetamorphError) return error;
  const className = home === undefined ? undefined : classNameOf(home);
  return unreadableError(
    { className, index, object },
    "a read of it",
    "finding the instances",
    error,
  );
}

/** The name of the class whose prototype is `prototype`, read without running code. */
function classNameOf(prototype: object): string | undefined {
  const ctor: unknown = Object.getOwnPropertyDescriptor(prototype, "constructor")?.value;
  if (typeof ctor !== "function") return undefined;
  const name: unknown = Object.getOwnPropertyDescriptor(ctor, "name")?.value;
  return typeof name === "string" && name !== "" ? name : undefined;
}

/**
 * Finalization callbacks are not guaranteed to run, and we have seen them come
 * late (on Node 20 they appear to follow full collections only) or, in a
 * loaded test worker, not at all for seconds. So memory must stay bounded
 * without them: whenever a list doubles, `record` checks a sentinel registered
 * at an earlier doubling. If two checks in a row find it collected but not
 * reported, finalization is not keeping up and the list is compacted there
 * (amortised O(1) per record). While finalization works, growth costs one
 * sentinel per doubling.
 */
function checkGrowth(registry: Registry, entry: RegistryEntry): void {
  entry.checkAt = Math.max(FIRST_GROWTH_CHECK, 2 * entry.refs.length);
  const pending = entry.sentinel;
  if (pending !== null) {
    // Not collected yet: no collection has run that could have reported deaths.
    if (pending.target.deref() !== undefined) return;
    // Collected but unreported: allow one check of grace, in case the
    // collection happened in this very job and the callback had no turn yet.
    if (!pending.overdue) {
      pending.overdue = true;
      return;
    }
    compact(registry, entry, null);
    registry.backstopCompactions++;
    entry.checkAt = Math.max(FIRST_GROWTH_CHECK, 2 * entry.refs.length);
  }
  const target = {};
  const sentinel: Sentinel = { entry, target: new WeakRef(target), overdue: false };
  entry.sentinel = sentinel;
  // Without finalization the sentinel is never reported, so growth alone compacts.
  if (registry.useFinalization) registry.deathWatch.register(target, sentinel);
}

function enable(registry: Registry, prototype: object): void {
  if (registry.byPrototype.has(prototype)) return;
  const entry: RegistryEntry = {
    prototype: new WeakRef(prototype),
    refs: [],
    estimatedDeaths: 0,
    checkAt: FIRST_GROWTH_CHECK,
    sentinel: null,
    recordedExplicitly: false,
    everRecordedExplicitly: false,
  };
  registry.byPrototype.set(prototype, entry);
  registry.entries.add(entry);
}

function find(registry: Registry, prototype: object, options?: FindOptions): object[] {
  const found: object[] = [];
  if (options?.includeSubclasses !== true) {
    const entry = registry.byPrototype.get(prototype);
    if (entry === undefined) return found;
    const copiesPossible = entry.everRecordedExplicitly || shadowCopiesMarked();
    compact(registry, entry, (object, current) => {
      if (
        (current === prototype || (current !== null && onMixinOf(object, prototype))) &&
        !isNotInstance(object, copiesPossible)
      )
        found.push(object);
    });
    return found;
  }
  // An object sits in two lists only if `record` put it in one of them.
  let crossListDuplicates = false;
  for (const entry of registry.entries) crossListDuplicates ||= entry.everRecordedExplicitly;
  const seen = crossListDuplicates ? new Map<object, RegistryEntry>() : undefined;
  const copiesPossible = crossListDuplicates || shadowCopiesMarked();
  const onClass = onClassPrototypes();
  for (const entry of registry.entries) {
    const home = entry.prototype.deref();
    if (home === undefined) {
      registry.entries.delete(entry);
      continue;
    }
    if (home !== prototype && !chainContains(home, prototype)) continue;
    compact(
      registry,
      entry,
      (object, current) => {
        // Objects on their recorded prototype inherit the check made on `home`;
        // the others moved to an unmanaged prototype and are checked one by one
        // (onto a child's parent, Object.create(instance): no instance).
        const matches =
          current === home ||
          (current !== null &&
            (current === prototype || (chainContains(current, prototype) && onClass(object))));
        if (matches && !isNotInstance(object, copiesPossible)) found.push(object);
      },
      seen,
    );
  }
  return found;
}

function findInSlices(
  registry: Registry,
  prototype: object,
  sliceMs: number,
): Promise<object[] | undefined> {
  const entry = registry.byPrototype.get(prototype);
  if (entry === undefined) return Promise.resolve([]);
  if (entry.recordedExplicitly) return Promise.resolve(undefined);
  const copiesPossible = entry.everRecordedExplicitly || shadowCopiesMarked();
  // A read that throws (a Proxy's trap) leaves the list to `find`, which
  // reads the object again and refuses it by name if it throws again.
  return readInSlices(entry.refs.slice(), prototype, copiesPossible, sliceMs).catch(
    () => undefined,
  );
}

function prototypes(registry: Registry): object[] {
  const alive: object[] = [];
  for (const entry of registry.entries) {
    const prototype = entry.prototype.deref();
    if (prototype === undefined) registry.entries.delete(entry);
    else alive.push(prototype);
  }
  return alive;
}

function reseed(registry: Registry, lists: ReadonlyMap<object, readonly object[]>): void {
  for (const [prototype, objects] of lists) {
    const entry = registry.byPrototype.get(prototype);
    if (entry === undefined) continue;
    const refs: WeakRef<object>[] = new Array(objects.length);
    for (let i = 0; i < objects.length; i++) refs[i] = new WeakRef(objects[i]!);
    entry.refs = refs;
    entry.estimatedDeaths = 0;
    entry.checkAt = Math.max(FIRST_GROWTH_CHECK, 2 * refs.length);
    entry.recordedExplicitly = false;
    entry.everRecordedExplicitly = false;
  }
}

function stats(registry: Registry): RegistryStats {
  let prototypes = 0;
  let references = 0;
  for (const entry of registry.entries) {
    if (entry.prototype.deref() === undefined) continue;
    prototypes++;
    references += entry.refs.length;
  }
  const { compactions, backstopCompactions } = registry;
  return { prototypes, references, compactions, backstopCompactions };
}

/**
 * The list of a subclass the program did not register (`class Special
 * extends Handle`), enabled at its first construction through the
 * handle: its objects are instances of the enabled class too, found by
 * `includeSubclasses` as the heap finds them, and an update that
 * migrates that class must know they exist (src/migration). An object
 * given a per-object mixin before it is recorded (the adaptive finder
 * records a run's objects at its end) goes to its class's list: listed
 * under the mixin, `allInstances` missed it (review advZ17). One on an
 * ordinary object (`Object.create(instance)`) is no instance.
 */
function subclassEntry(registry: Registry, instance: object): RegistryEntry | undefined {
  const { byPrototype } = registry;
  const home = perObjectHome(instance) ?? (getPrototypeOf(instance) as object | null);
  if (home === null) return undefined;
  const own = byPrototype.get(home);
  if (own !== undefined) return own;
  if (!isPrototypeObject(home)) return undefined;
  for (let p = getPrototypeOf(home) as object | null; p !== null; p = getPrototypeOf(p)) {
    if (byPrototype.has(p)) {
      enable(registry, home);
      return byPrototype.get(home);
    }
  }
  return undefined;
}

export function createRegistryFinder(options: RegistryFinderOptions = {}): RegistryFinder {
  const useFinalization = options.finalization !== false;
  const registry: Registry = {
    useFinalization,
    byPrototype: new WeakMap(),
    entries: new Set(),
    deathWatch: new FinalizationRegistry((held) => onFinalized(registry, held)),
    compactions: 0,
    backstopCompactions: 0,
    sampleCountdown: useFinalization ? 1 : Number.POSITIVE_INFINITY,
    sampleSeed: 0x2545f491,
  };
  const { byPrototype, deathWatch } = registry;

  // The hot path: runs after every construction of a managed class.
  function recordConstructed(instance: object): void {
    let entry = byPrototype.get(getPrototypeOf(instance) as object);
    if (entry === undefined) {
      entry = subclassEntry(registry, instance);
      if (entry === undefined) return;
    }
    const refs = entry.refs;
    refs.push(new WeakRef(instance));
    if (--registry.sampleCountdown === 0) {
      registry.sampleCountdown = nextSampleGap(registry);
      deathWatch.register(instance, entry);
    }
    if (refs.length >= entry.checkAt) checkGrowth(registry, entry);
  }

  function record(instance: object): void {
    // An object of a subclass the program made of a handle, put on its
    // prototype without constructing it: listed as its construction would
    // list it, so that an update sees it (and refuses it, MM_UNMANAGED_CLASS).
    // Not one on a per-object mixin: its class's list reports it already.
    const entry =
      byPrototype.get(getPrototypeOf(instance) as object) ??
      (perObjectHome(instance) === undefined ? subclassEntry(registry, instance) : undefined);
    if (entry === undefined) return;
    // A Proxy an update may now find whatever its class: checked for hidden state (migration/proxies.ts).
    noteRecorded(instance);
    entry.recordedExplicitly = true;
    entry.everRecordedExplicitly = true;
    noteMembershipChange();
    recordConstructed(instance);
  }

  return {
    kind: "registry",
    enable: (prototype) => enable(registry, prototype),
    record,
    recordConstructed,
    find: (prototype, findOptions) => find(registry, prototype, findOptions),
    stats: () => stats(registry),
    snapshot: (prototype, end) => byPrototype.get(prototype)?.refs.slice(0, end) ?? [],
    findInSlices: (prototype, sliceMs) => findInSlices(registry, prototype, sliceMs),
    prototypes: () => prototypes(registry),
    reseed: (lists) => reseed(registry, lists),
  };
}
