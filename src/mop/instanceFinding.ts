/**
 * Finding every live instance of a class. JavaScript has no `allInstances`, so
 * there are two interchangeable backends:
 *
 * - the **registry** records a `WeakRef` to each instance when it is
 *   constructed (opt-in per prototype), at a small cost on every construction
 *   and a `deref()` per object when enumerating;
 * - the **heap** backend asks V8 itself through an in-process `node:inspector`
 *   session (`Runtime.queryObjects`): nothing to pay at construction, a full
 *   garbage collection plus a heap walk at query time, Node only.
 *
 * Both are synchronous, because an update's commit is one synchronous block.
 * Every method of a finder works unbound (`const { record } = finder`), so a
 * class handle can keep `record` as a plain function.
 */
import { InstanceFinderUnavailableError } from "../errors.js";

export type InstanceFinderKind = "registry" | "heap";

export interface FindOptions {
  readonly includeSubclasses?: boolean;
}

export interface InstanceFinder {
  readonly kind: InstanceFinderKind;
  /** Registry: start recording instances whose [[Prototype]] is exactly `prototype` (opt-in per class). Heap: no-op. */
  enable(prototype: object): void;
  /**
   * Registry: record a freshly constructed object (called by class handles right
   * after each construction; objects whose prototype is not enabled are
   * ignored). Call it again after an object's prototype changed (e.g. an
   * identity swap, or its rollback) so it is found under its new prototype; it
   * is never reported twice. Heap: no-op.
   */
  record(instance: object): void;
  /**
   * Every live object whose [[Prototype]] is exactly `prototype` (default) or
   * that has `prototype` anywhere in its chain (`includeSubclasses`). Never
   * prototype objects (an object whose own `constructor` is a function whose
   * `.prototype` is that object), never dead objects, never duplicates.
   */
  find(prototype: object, options?: FindOptions): object[];
}

// ---------------------------------------------------------------------------
// Shared filtering

const isPrototypeOfIntrinsic = Object.prototype.isPrototypeOf;
const hasOwn = Object.hasOwn;
const getPrototypeOf = Object.getPrototypeOf;

/** `ancestor` is somewhere in the [[Prototype]] chain of `object` (not `object` itself). */
function chainContains(object: object, ancestor: object): boolean {
  return isPrototypeOfIntrinsic.call(ancestor, object);
}

/**
 * Subclass prototypes have the parent prototype in their chain, so a chain
 * query would report them as instances. Reading the descriptor (not the
 * property) keeps an accessor named `constructor` from running.
 */
function isPrototypeObject(object: object): boolean {
  if (!hasOwn(object, "constructor")) return false;
  const descriptor = Object.getOwnPropertyDescriptor(object, "constructor");
  const ctor: unknown = descriptor?.value;
  if (typeof ctor !== "function") return false;
  const ctorPrototype = Object.getOwnPropertyDescriptor(ctor, "prototype");
  return ctorPrototype !== undefined && ctorPrototype.value === object;
}

// ---------------------------------------------------------------------------
// Registry backend

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
   * prototype; check each one.
   */
  snapshot(prototype: object): readonly WeakRef<object>[];
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

/**
 * Finalization callbacks are not guaranteed to run, and we have seen them come
 * late (on Node 20 they appear to follow full collections only) or, in a
 * loaded test worker, not at all for seconds. So memory must stay bounded without them: whenever a list doubles,
 * `record` checks a sentinel registered at an earlier doubling. If two checks
 * in a row find it collected but not reported, finalization is not keeping up
 * and the list is compacted there (amortised O(1) per record). While
 * finalization works, growth costs one sentinel per doubling.
 */
export function createRegistryFinder(options: RegistryFinderOptions = {}): RegistryFinder {
  const useFinalization = options.finalization !== false;
  const byPrototype = new WeakMap<object, RegistryEntry>();
  // Enumerable twin of byPrototype, for includeSubclasses queries.
  const entries = new Set<RegistryEntry>();
  let compactions = 0;
  let backstopCompactions = 0;
  // With finalization off, sampling never comes due.
  let sampleCountdown = useFinalization ? 1 : Number.POSITIVE_INFINITY;
  let sampleSeed = 0x2545f491;

  function nextSampleGap(): number {
    // xorshift32: cheap, and only runs once per sampled object.
    sampleSeed ^= sampleSeed << 13;
    sampleSeed ^= sampleSeed >>> 17;
    sampleSeed ^= sampleSeed << 5;
    return 1 + ((sampleSeed >>> 0) % (2 * SAMPLE_MEAN_GAP - 1));
  }

  const deathWatch = new FinalizationRegistry<RegistryEntry | Sentinel>((held) => {
    if ("overdue" in held) {
      if (held.entry.sentinel === held) held.entry.sentinel = null;
      return;
    }
    held.estimatedDeaths += SAMPLE_MEAN_GAP;
    if (
      held.estimatedDeaths >= MIN_DEATHS_TO_COMPACT &&
      held.estimatedDeaths * 2 >= held.refs.length &&
      entries.has(held)
    ) {
      compact(held, null);
      compactions++;
    }
  });

  /**
   * One pass over an entry's list: drops cleared refs, duplicate refs, and refs
   * to objects that now sit on another enabled prototype (they were re-recorded
   * there, which owns them now); hands every kept object to `visit` unless an
   * earlier list of the same query already did (`seen` maps each object to the
   * list that reported it; a ref is dropped only as a duplicate in its own list,
   * so every list stays complete for later queries).
   */
  function compact(
    entry: RegistryEntry,
    visit: ((object: object, current: object | null) => void) | null,
    seen: Map<object, RegistryEntry> = new Map(),
  ): void {
    const home = entry.prototype.deref();
    const refs = entry.refs;
    let kept = 0;
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      const object = ref.deref();
      if (object === undefined) continue;
      const current = getPrototypeOf(object) as object | null;
      if (current !== home && current !== null && byPrototype.has(current)) continue;
      const reporter = seen.get(object);
      if (reporter === entry) continue;
      refs[kept++] = ref;
      if (reporter !== undefined) continue;
      seen.set(object, entry);
      if (visit !== null) visit(object, current);
    }
    refs.length = kept;
    entry.estimatedDeaths = 0;
  }

  function checkGrowth(entry: RegistryEntry): void {
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
      compact(entry, null);
      backstopCompactions++;
      entry.checkAt = Math.max(FIRST_GROWTH_CHECK, 2 * entry.refs.length);
    }
    const target = {};
    const sentinel: Sentinel = { entry, target: new WeakRef(target), overdue: false };
    entry.sentinel = sentinel;
    // Without finalization the sentinel is never reported, so growth alone compacts.
    if (useFinalization) deathWatch.register(target, sentinel);
  }

  function enable(prototype: object): void {
    if (byPrototype.has(prototype)) return;
    const entry: RegistryEntry = {
      prototype: new WeakRef(prototype),
      refs: [],
      estimatedDeaths: 0,
      checkAt: FIRST_GROWTH_CHECK,
      sentinel: null,
    };
    byPrototype.set(prototype, entry);
    entries.add(entry);
  }

  // The hot path: runs after every construction of a managed class.
  function record(instance: object): void {
    const entry = byPrototype.get(getPrototypeOf(instance) as object);
    if (entry === undefined) return;
    const refs = entry.refs;
    refs.push(new WeakRef(instance));
    if (--sampleCountdown === 0) {
      sampleCountdown = nextSampleGap();
      deathWatch.register(instance, entry);
    }
    if (refs.length >= entry.checkAt) checkGrowth(entry);
  }

  function find(prototype: object, options?: FindOptions): object[] {
    const found: object[] = [];
    if (options?.includeSubclasses !== true) {
      const entry = byPrototype.get(prototype);
      if (entry === undefined) return found;
      compact(entry, (object, current) => {
        if (current === prototype && !isPrototypeObject(object)) found.push(object);
      });
      return found;
    }
    const seen = new Map<object, RegistryEntry>();
    for (const entry of entries) {
      const home = entry.prototype.deref();
      if (home === undefined) {
        entries.delete(entry);
        continue;
      }
      if (home !== prototype && !chainContains(home, prototype)) continue;
      compact(
        entry,
        (object, current) => {
          // Objects on their recorded prototype inherit the check made on `home`;
          // the others moved to an unmanaged prototype and are checked one by one.
          const matches =
            current === home ||
            (current !== null && (current === prototype || chainContains(current, prototype)));
          if (matches && !isPrototypeObject(object)) found.push(object);
        },
        seen,
      );
    }
    return found;
  }

  function stats(): RegistryStats {
    let prototypes = 0;
    let references = 0;
    for (const entry of entries) {
      if (entry.prototype.deref() === undefined) continue;
      prototypes++;
      references += entry.refs.length;
    }
    return { prototypes, references, compactions, backstopCompactions };
  }

  function snapshot(prototype: object): readonly WeakRef<object>[] {
    return byPrototype.get(prototype)?.refs.slice() ?? [];
  }

  return { kind: "registry", enable, record, find, stats, snapshot };
}

// ---------------------------------------------------------------------------
// Heap backend

/** The part of `node:inspector` this module uses; typed here so that nothing is imported eagerly. */
interface InspectorSession {
  connect(): void;
  disconnect(): void;
  post(
    method: string,
    params: object,
    callback: (error: Error | null, result?: object) => void,
  ): void;
}

interface InspectorModule {
  readonly Session: new () => InspectorSession;
}

/**
 * Sees every object of this realm, recorded or not. Each query forces V8's full
 * garbage collections, so it costs tens of milliseconds even for few objects.
 * Objects created in another realm (a `vm` context) are not reported.
 */
export interface HeapFinder extends InstanceFinder {
  readonly kind: "heap";
}

/**
 * Loaded on first use only: importing this module must cost nothing and must
 * not break a browser bundle. `process.getBuiltinModule` (Node ≥ 20.16) needs
 * no import of `node:module` either.
 */
function loadInspector(): InspectorModule {
  const host = (globalThis as { process?: { getBuiltinModule?: unknown } }).process;
  const getBuiltinModule = host?.getBuiltinModule;
  if (typeof getBuiltinModule !== "function") {
    throw new InstanceFinderUnavailableError(
      "The heap instance finder needs Node's node:inspector, which this runtime does not provide; use the registry finder",
      { backend: "heap", reason: "no process.getBuiltinModule" },
    );
  }
  let inspector: unknown;
  try {
    inspector = getBuiltinModule.call(host, "node:inspector");
  } catch (error) {
    throw new InstanceFinderUnavailableError(
      `The heap instance finder cannot load node:inspector: ${String(error)}`,
      { backend: "heap", reason: "node:inspector failed to load", cause: error },
    );
  }
  const Session = (inspector as { Session?: unknown } | undefined)?.Session;
  if (typeof Session !== "function") {
    throw new InstanceFinderUnavailableError(
      "The heap instance finder cannot find node:inspector's Session",
      { backend: "heap", reason: "no inspector Session" },
    );
  }
  return inspector as InspectorModule;
}

/**
 * Posts one command and returns its result. In-process sessions answer inside
 * `post` on Node; if a runtime ever answers later, a synchronous query is
 * impossible and we refuse rather than return a wrong answer.
 */
function command(session: InspectorSession, method: string, params: object): object {
  const reply: { answered: boolean; error: Error | null; result: object | undefined } = {
    answered: false,
    error: null,
    result: undefined,
  };
  session.post(method, params, (error, result) => {
    reply.answered = true;
    reply.error = error;
    reply.result = result;
  });
  if (!reply.answered) {
    throw new InstanceFinderUnavailableError(
      `node:inspector answered ${method} asynchronously, so the heap cannot be queried inside a synchronous commit`,
      { backend: "heap", method },
    );
  }
  if (reply.error !== null) {
    throw new InstanceFinderUnavailableError(`${method} failed: ${reply.error.message}`, {
      backend: "heap",
      method,
      cause: reply.error,
    });
  }
  return reply.result ?? {};
}

/** The `objectId` of the remote object under `key` in a protocol result. */
function remoteObjectId(result: object, key: string, method: string): string {
  const remote = (result as Record<string, unknown>)[key] as { objectId?: unknown } | undefined;
  const exception = (result as { exceptionDetails?: unknown }).exceptionDetails;
  if (exception === undefined && typeof remote?.objectId === "string") return remote.objectId;
  throw new InstanceFinderUnavailableError(
    `${method} did not return an object; the inspector's default context is probably not this module's realm`,
    { backend: "heap", method, result },
  );
}

// A registered symbol because the inspector evaluates source text, which can
// name `Symbol.for(key)` but not a module-local symbol.
const STASH_KEY = "metamorph.instanceFinding.heap";
const STASH = Symbol.for(STASH_KEY);
const STASH_SOURCE = `globalThis[Symbol.for(${JSON.stringify(STASH_KEY)})]`;
const OBJECT_GROUP = "metamorph.instanceFinding";

interface Stash {
  prototype: object | null;
  found: unknown;
}

export function createHeapFinder(): HeapFinder {
  const { Session } = loadInspector();
  const session = new Session();

  /**
   * Connected only inside a query: while any session is connected, Node
   * forwards console calls to V8, whose console history keeps their arguments
   * alive until discarded, which would leak and make them look alive to queries.
   */
  function withSession<T>(stash: Stash, body: () => T): T {
    Object.defineProperty(globalThis, STASH, {
      value: stash,
      configurable: true,
      writable: true,
      enumerable: false,
    });
    let connected = false;
    try {
      session.connect();
      connected = true;
      return body();
    } catch (error) {
      if (error instanceof InstanceFinderUnavailableError) throw error;
      throw new InstanceFinderUnavailableError(
        `The heap instance finder cannot use node:inspector: ${String(error)}`,
        { backend: "heap", cause: error },
      );
    } finally {
      if (connected) {
        // Disconnecting releases the session's remote objects too; releasing the
        // group first keeps that true should the session ever be kept open.
        try {
          command(session, "Runtime.releaseObjectGroup", { objectGroup: OBJECT_GROUP });
        } finally {
          session.disconnect();
        }
      }
      delete (globalThis as Record<symbol, unknown>)[STASH];
      stash.prototype = null;
      stash.found = undefined;
    }
  }

  function query(stash: Stash): unknown[] {
    let found: unknown;
    withSession(stash, () => {
      const evaluated = command(session, "Runtime.evaluate", {
        expression: `${STASH_SOURCE}.prototype`,
        objectGroup: OBJECT_GROUP,
        silent: true,
      });
      const prototypeId = remoteObjectId(evaluated, "result", "Runtime.evaluate");
      // V8 runs a full garbage collection before walking the heap, so only
      // live objects come back.
      const queried = command(session, "Runtime.queryObjects", {
        prototypeObjectId: prototypeId,
        objectGroup: OBJECT_GROUP,
      });
      const arrayId = remoteObjectId(queried, "objects", "Runtime.queryObjects");
      // The array lives in this realm; hand it over by reference rather than
      // serialising it through the protocol.
      command(session, "Runtime.callFunctionOn", {
        objectId: arrayId,
        functionDeclaration: `function () { ${STASH_SOURCE}.found = this; }`,
        silent: true,
      });
      found = stash.found;
    });
    if (!Array.isArray(found)) {
      throw new InstanceFinderUnavailableError(
        "Runtime.queryObjects returned no array to this realm",
        { backend: "heap" },
      );
    }
    return found;
  }

  // Fail at creation, not inside a commit, when the heap cannot be queried here
  // (no inspector, an asynchronous one, or a realm the inspector does not see).
  withSession({ prototype: null, found: undefined }, () => {
    remoteObjectId(
      command(session, "Runtime.evaluate", {
        expression: STASH_SOURCE,
        objectGroup: OBJECT_GROUP,
        silent: true,
      }),
      "result",
      "Runtime.evaluate",
    );
  });

  function find(prototype: object, options?: FindOptions): object[] {
    const includeSubclasses = options?.includeSubclasses === true;
    const stash: Stash = { prototype, found: undefined };
    const candidates = query(stash);
    const found: object[] = [];
    for (let i = 0; i < candidates.length; i++) {
      const object = candidates[i];
      if ((typeof object !== "object" && typeof object !== "function") || object === null) continue;
      // Our own stash is alive during the query (it matters for Object.prototype).
      if (object === stash) continue;
      // queryObjects matches the whole chain; the default query is exact.
      if (!includeSubclasses && getPrototypeOf(object) !== prototype) continue;
      if (isPrototypeObject(object)) continue;
      found.push(object);
    }
    return found;
  }

  return {
    kind: "heap",
    enable(_prototype: object): void {},
    record(_instance: object): void {},
    find,
  };
}
