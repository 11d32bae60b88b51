/**
 * The adaptive finder: the registry until the program shows that it
 * allocates managed objects in bulk, then the heap query — until the next
 * query, which takes the registry back (or for good, for classes only the
 * heap can see).
 *
 * Why: each finder is right for one kind of program (see defaultFinder.ts).
 * The registry's cost is per construction — a `WeakRef`, and the object kept
 * alive until its job ends — which a program making a few long-lived objects
 * never notices, and which a loop making millions of temporaries in one job
 * pays 10–50× over (and V8 aborts past ~2^24 of them). The heap query's cost
 * is per query, proportional to the whole heap, and nothing at
 * construction. A program that has just made `switchAfter` managed objects
 * in one synchronous run (or 16 times as many in one turn of the event loop,
 * or SWITCH_PER_SECOND within a second however spread) is the second kind
 * for now: the heap answers the next query. That query lists every enabled
 * prototype's instances, which become the registry's lists, and constructions
 * are recorded again from then on: a burst (a world built in one loop at
 * start-up) costs one heap query, not one per update for the rest of the
 * program's life; a program that keeps making temporaries switches again at
 * its next burst.
 *
 * For good when the namespace is handed a class that code can construct
 * without its handle (Namespace.registerClass, `useHeap`): the registry
 * could never find those objects.
 *
 * Where the heap cannot be queried (a browser page) the registry stays, and
 * past TURN_FACTOR × `switchAfter` constructions in one turn of the event
 * loop the objects are only counted (./untracked.ts): no turn keeps more
 * than that many alive (nor crashes the page), and updates of their classes
 * refuse from then on.
 *
 * Each switch is safe at any moment. Before it the registry has recorded
 * every object made through a class handle (the current run's are recorded
 * at the run's end, or before anything reads the registry); after it the
 * heap query sees every object (also the switching run's, and ones made
 * before their class was registered, which the registry never saw). Code
 * that read `kind` as "registry" and walks the registry's lists across tasks
 * (a progressive sweep, a find ahead of a pause) stays correct: the objects
 * constructed after the switch are the ones the lists miss, and those
 * callers already observe constructions themselves or only look for objects
 * that existed before they started. The way back happens inside a query, in
 * one job with the observers' re-installation: no construction falls between.
 */
import type { FindOptions, InstanceFinder, InstanceFinderKind } from "./finder.js";
import { createHeapFinder, type HeapFinder } from "./heapFinder.js";
import { createRegistryFinder, type RegistryFinder } from "./registryFinder.js";
import { afterThisTurn, turnCounter } from "./turns.js";
import { UntrackedObjects } from "./untracked.js";

/**
 * Constructions in one job after which the adaptive finder switches to the
 * heap query: enough that programs building their world in one job (a
 * server's start-up, a loaded save) stay on the registry, few enough that the
 * registry never keeps more than this many temporaries alive per job.
 */
export const SWITCH_AFTER = 1 << 16;

/** Constructions in one event-loop turn, in units of SWITCH_AFTER, after which it switches too. */
export const TURN_FACTOR = 16;

/**
 * Constructions within one second after which it switches too, whatever the
 * shape of the jobs: a program that constructs managed objects steadily, a
 * few at a time across event-loop turns, never fills a job or a turn, and
 * would pay the registry's ~100–150 ns per object (a `WeakRef` and an entry;
 * a plain `new` takes ~7 ns) for good — measured 0.05 of a plain `new` (bench
 * `mop.goal.construction.spread.adaptive`). 2^17 a second is where that
 * recording costs ~1.5–2% of a core; a service making fewer keeps the
 * registry, and with it updates that never stop for a heap query.
 */
export const SWITCH_PER_SECOND = 1 << 17;

export interface AdaptiveFinderOptions {
  readonly switchAfter?: number;
  /** Constructions within one second that switch it (SWITCH_PER_SECOND). */
  readonly switchPerSecond?: number;
  /** The clock of that window, in ms (tests inject one). */
  readonly now?: () => number;
  /** Creates the heap finder at the switch (tests inject one that fails). */
  readonly heap?: () => HeapFinder;
}

/**
 * Both backends' methods: `kind` says which one answers, and a caller that
 * narrows on it may use that backend's own methods (the registry's keep
 * answering after the switch, for the objects recorded before it).
 */
export interface AdaptiveFinder extends InstanceFinder {
  readonly stats: RegistryFinder["stats"];
  readonly snapshot: RegistryFinder["snapshot"];
  readonly findInSlices: RegistryFinder["findInSlices"];
  /** The registry's enabled prototypes (whatever answers queries now). */
  readonly prototypes: RegistryFinder["prototypes"];
  readonly findEach: HeapFinder["findEach"];
  /** Called each time the finder switches to the heap query. */
  onSwitch(listener: () => void): void;
  /**
   * Called each time it returns to the registry: after a switch not made for
   * good, the first query re-seeds the registry from the heap's answer.
   */
  onRecover(listener: () => void): void;
  /**
   * Throws (MM_FINDER_UNAVAILABLE) when objects of any of `prototypes` were
   * let go unrecorded (no heap to query, see ./untracked.ts): what an update
   * asks before it changes anything.
   */
  refuseUntracked(prototypes: readonly object[]): void;
  /**
   * Switches to the heap query now, for good, when the heap can be queried:
   * for classes whose instances can be made without a class handle, which
   * only the heap sees (see Namespace.registerClass). Where the heap cannot
   * be queried the registry stays.
   */
  useHeap(): void;
}

/**
 * The heap finder is made ahead (heapAhead) or at the switch; if the heap
 * cannot be queried (no inspector), the registry stays.
 */
// size: one closure over the finder's state (which backend answers, the
// windows, the listeners); each function in it is short.
export function createAdaptiveFinder(options: AdaptiveFinderOptions = {}): AdaptiveFinder {
  const registry = createRegistryFinder();
  const limits = {
    switchAfter: options.switchAfter ?? SWITCH_AFTER,
    perSecond: options.switchPerSecond ?? SWITCH_PER_SECOND,
  };
  const now = options.now ?? (() => performance.now());
  /** The heap finder while it answers; null while the registry does. */
  let heap: HeapFinder | null = null;
  /** Made at the first switch and kept for the next ones. */
  let heapFinder: HeapFinder | null = null;
  /** `useHeap`: the registry can never be complete again. */
  let forGood = false;
  const switched: (() => void)[] = [];
  const recovered: (() => void)[] = [];
  let heapUnavailable = false;
  const run = currentRun(registry);
  const flush = run.flush;
  let full = constructionWindows(limits, flush, now);
  /** Without a heap: objects past the cap of their job, counted and not recorded (./untracked.ts). */
  const untracked = new UntrackedObjects(limits.switchAfter * TURN_FACTOR);
  let pastCap: () => boolean = () => false;
  const unavailable = () => {
    heapUnavailable = true; // stay on the registry, recording directly; never try again
    flush();
    pastCap = turnCounter(untracked.cap);
  };
  const ahead = heapAhead(options.heap ?? createHeapFinder, unavailable);

  function switchToHeap(): void {
    try {
      heapFinder ??= ahead.take();
    } catch {
      unavailable();
      return;
    }
    heap = heapFinder;
    run.drop();
    for (const listener of [...switched]) listener();
  }

  /**
   * The heap's answer for `prototypes` — and, unless the switch was for
   * good, the way back to the registry: the same query lists every enabled
   * prototype's instances, which become the registry's lists, and from then
   * on constructions are recorded again (the listeners re-install the
   * observers). Without it one burst (a world built in one loop at start-up)
   * made every later update, rollback and `allInstances` pay a heap query
   * for good; with it the next burst switches again, at the cost of one
   * query per update in a program that keeps making temporaries.
   */
  function fromHeap(
    answering: HeapFinder,
    prototypes: readonly object[],
    others?: Map<object, object[]>,
  ): Map<object, object[]> {
    if (forGood) return answering.findEach(prototypes, others);
    const enabled = registry.prototypes();
    const lists = answering.findEach([...new Set([...prototypes, ...enabled])], others);
    registry.reseed(new Map(enabled.map((p) => [p, lists.get(p) ?? []] as const)));
    heap = null;
    full = constructionWindows(limits, flush, now);
    for (const listener of [...recovered]) listener();
    return new Map(prototypes.map((p) => [p, lists.get(p) ?? []] as const));
  }

  function recordConstructed(instance: object): void {
    if (heap !== null) return;
    if (heapUnavailable) {
      if (pastCap()) untracked.add(instance);
      else registry.recordConstructed(instance);
      return;
    }
    run.add(instance);
    if (full()) switchToHeap();
  }

  /**
   * The registry, with the current run's objects recorded: what every read
   * of it sees. Reads answer with what was recorded even where objects were
   * only counted (an update refuses those classes before its commit, see
   * `refuseUntracked`; objects made after it are on the new layout).
   */
  const recorded = (): RegistryFinder => {
    flush();
    return registry;
  };

  const finder: AdaptiveFinder = {
    get kind(): InstanceFinderKind {
      return heap === null ? "registry" : "heap";
    },
    // Enabled in heap mode too: the way back re-seeds every enabled prototype.
    enable: (prototype: object) => recorded().enable(prototype),
    record: (instance: object) => {
      if (heap === null) recorded().record(instance);
    },
    recordConstructed,
    find: (prototype: object, findOptions?: FindOptions): object[] => {
      if (heap === null) return recorded().find(prototype, findOptions);
      // A subclass query may list prototypes the registry does not know: the heap answers it alone.
      if (findOptions?.includeSubclasses === true) return heap.find(prototype, findOptions);
      return fromHeap(heap, [prototype]).get(prototype)!;
    },
    findEach: (prototypes: readonly object[], others?: Map<object, object[]>) => {
      if (heap !== null)
        return prototypes.length === 0 ? new Map() : fromHeap(heap, prototypes, others);
      const registry = recorded();
      return new Map(prototypes.map((p) => [p, registry.find(p)] as const));
    },
    stats: () => recorded().stats(),
    snapshot: (prototype: object, end?: number) => recorded().snapshot(prototype, end),
    findInSlices: (prototype: object, sliceMs: number) =>
      recorded().findInSlices(prototype, sliceMs),
    prototypes: () => recorded().prototypes(),
    refuseUntracked: (prototypes: readonly object[]) => untracked.refuse(prototypes, true),
    onSwitch(listener: () => void): void {
      switched.push(listener);
    },
    onRecover(listener: () => void): void {
      recovered.push(listener);
    },
    useHeap(): void {
      if (heapUnavailable) return;
      forGood = true;
      if (heap === null) switchToHeap();
    },
  };
  return finder;
}

/**
 * The heap finder the switch will use, made in a later turn, off the
 * program's path: the first heap finder of a process connects an inspector
 * session (~2 ms, measured), which would otherwise land inside the very loop
 * that made the finder switch. `take` makes one if none is ready (the switch
 * came first) and throws as making one does; `onUnavailable` hears of a
 * failure ahead.
 */
function heapAhead(make: () => HeapFinder, onUnavailable: () => void) {
  let ready: HeapFinder | null = null;
  let settled = false;
  afterThisTurn(() => {
    if (settled) return;
    settled = true;
    try {
      ready = make();
    } catch {
      onUnavailable();
    }
  });
  return {
    take(): HeapFinder {
      settled = true;
      const heap = ready ?? make();
      ready = null;
      return heap;
    },
  };
}

/**
 * The objects of the current synchronous run, not recorded yet: held
 * strongly until the run ends (a `WeakRef` would keep them alive as long,
 * by specification), then recorded — or, when the run switches the finder,
 * dropped, since the heap query finds them. A loop of temporaries then never
 * pays a `WeakRef` (and V8's kept-objects table) for the objects before the
 * switch: 65,536 of them took ~30 ms, twice the whole loop of 2,000,000 under
 * tsx (bench dev.allocation2M).
 */
function currentRun(registry: RegistryFinder) {
  let pending: object[] = [];
  return {
    add(instance: object): void {
      pending.push(instance);
    },
    flush(): void {
      if (pending.length === 0) return;
      const objects = pending;
      pending = [];
      for (const instance of objects) registry.recordConstructed(instance);
    },
    drop(): void {
      pending = [];
    },
  };
}

/**
 * Counts one construction; true once a window is full. Three windows: a
 * synchronous run (up to the next microtask checkpoint) is what a loop of
 * temporaries fills, and crossing `switchAfter` there is the signal. A whole
 * event-loop turn may hold many small runs (a busy server's callbacks), which
 * alone should not switch a program to the heap query for good — unless
 * together they reach TURN_FACTOR × as many, which bounds what the registry
 * keeps alive in a turn whatever the shape of the code. And a second, whose
 * count crossing `perSecond` marks a program that constructs steadily (read
 * from the clock once per run, not per construction).
 */
function constructionWindows(
  limits: { readonly switchAfter: number; readonly perSecond: number },
  onRunEnd: () => void,
  now: () => number,
): () => boolean {
  const { switchAfter, perSecond } = limits;
  const turnSwitchAfter = switchAfter * TURN_FACTOR;
  let inRun = 0;
  let inTurn = 0;
  let inSecond = 0;
  let secondStarted = Number.NEGATIVE_INFINITY;
  let runResetPending = false;
  let turnResetPending = false;
  const resetRun = () => {
    inRun = 0;
    runResetPending = false;
    onRunEnd();
  };
  const resetTurn = () => {
    inTurn = 0;
    turnResetPending = false;
  };
  return () => {
    if (++inRun >= switchAfter || ++inTurn >= turnSwitchAfter || ++inSecond >= perSecond) {
      return true;
    }
    if (!runResetPending) {
      runResetPending = true;
      queueMicrotask(resetRun);
      const at = now();
      if (at - secondStarted >= 1000) {
        secondStarted = at;
        inSecond = 1;
      }
    }
    if (!turnResetPending) {
      turnResetPending = true;
      afterThisTurn(resetTurn);
    }
    return false;
  };
}

/** Whether a finder is the adaptive one (the namespace stops observing constructions at its switch). */
export function isAdaptiveFinder(finder: InstanceFinder): finder is AdaptiveFinder {
  return typeof (finder as Partial<AdaptiveFinder>).onSwitch === "function";
}
