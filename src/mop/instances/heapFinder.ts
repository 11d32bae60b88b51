/**
 * The heap finder asks V8 itself through an in-process `node:inspector`
 * session (`Runtime.queryObjects`): nothing to pay at construction, a full
 * garbage collection plus a heap walk at query time, Node only.
 */
import { InstanceFinderUnavailableError } from "../../errors.js";
import type { FindOptions, InstanceFinder } from "./finder.js";
import {
  chainContains,
  getPrototypeOf,
  isNotInstance,
  notePerObjectInstance,
  onClassPrototypes,
  perObjectHomes,
} from "./finder.js";
import type { InspectorSession } from "./inspector.js";
import { command, loadInspector, remoteObjectId } from "./inspector.js";

/**
 * Sees every object of this realm, recorded or not. Each query forces V8's full
 * garbage collections, so it costs tens of milliseconds even for few objects.
 * Objects created in another realm (a `vm` context) are not reported.
 */
export interface HeapFinder extends InstanceFinder {
  readonly kind: "heap";
  /**
   * The instances of each prototype (exact, as `find` without
   * includeSubclasses), found with as few heap queries as possible: one when
   * the prototypes share a chain or all descend from Object.prototype.
   * With `others`, the instances on none of them but with one in their
   * chain (a subclass's) go to `others`, by the nearest such prototype
   * (a walk up each object's chain the query returns: a few per cent of it).
   */
  findEach(prototypes: readonly object[], others?: Map<object, object[]>): Map<object, object[]>;
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

/**
 * Connected only inside a query: while any session is connected, Node
 * forwards console calls to V8, whose console history keeps their arguments
 * alive until discarded, which would leak and make them look alive to queries.
 */
function withSession<T>(session: InspectorSession, stash: Stash, body: () => T): T {
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

/** Every object with `stash.prototype` anywhere in its chain, as V8 reports them. */
function query(session: InspectorSession, stash: Stash): unknown[] {
  let found: unknown;
  withSession(session, stash, () => {
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

function find(session: InspectorSession, prototype: object, options?: FindOptions): object[] {
  const includeSubclasses = options?.includeSubclasses === true;
  const found: object[] = [];
  const stash: Stash = { prototype, found: undefined };
  const homeOf = perObjectHomes();
  const onClass = onClassPrototypes();
  const mixins = new Set<object>();
  forEachInstance(
    query(session, stash),
    stash,
    // queryObjects matches the whole chain; the default query is exact.
    (object) => {
      if (getPrototypeOf(object) === prototype) return true;
      const home = homeOf(object);
      // Below a subclass's prototype too: its mixin is no instance either.
      if (home !== undefined && (home === prototype || includeSubclasses))
        noteMixins(object, home, mixins);
      return includeSubclasses ? onClass(object) : home === prototype;
    },
    (object) => found.push(object),
  );
  return withoutMixins(found, mixins);
}

/**
 * The candidates that can be instances: objects, not our stash, that the
 * caller `wants` (checked first: a query of Object.prototype returns the
 * whole heap, and the caller's prototype test is the cheap one), not
 * prototypes, not shadow copies.
 */
function forEachInstance(
  candidates: unknown[],
  stash: Stash,
  wants: (object: object) => boolean,
  visit: (object: object) => void,
): void {
  for (let i = 0; i < candidates.length; i++) {
    const object = candidates[i];
    if ((typeof object !== "object" && typeof object !== "function") || object === null) continue;
    // Our own stash is alive during the query (it matters for Object.prototype).
    if (object === stash || !wants(object)) continue;
    if (isNotInstance(object, true)) continue;
    visit(object);
  }
}

/**
 * The prototypes to query so that every one of `prototypes` is covered: each
 * chain's topmost requested prototype, or Object.prototype alone when that
 * leaves several and all of them descend from it. Every query costs a full
 * garbage collection and a walk over the whole heap (about a microsecond per
 * live object of the program, measured on Node 20), whatever it matches, so
 * one query for everything (measured: 1.1–1.4× a single class's query) beats
 * two or more.
 */
function queryRoots(prototypes: readonly object[]): object[] {
  const wanted = new Set(prototypes);
  const roots = prototypes.filter((prototype) => {
    for (let p = getPrototypeOf(prototype); p !== null; p = getPrototypeOf(p)) {
      if (wanted.has(p)) return false;
    }
    return true;
  });
  if (roots.length > 1 && roots.every((root) => chainContains(root, Object.prototype))) {
    return [Object.prototype];
  }
  return roots;
}

/** `find(prototype)` for each of `prototypes` (exact prototypes), in as few heap queries as the chains allow. */
function findEach(
  session: InspectorSession,
  prototypes: readonly object[],
  others?: Map<object, object[]>,
): Map<object, object[]> {
  const lists = new Map<object, object[]>();
  for (const prototype of prototypes) lists.set(prototype, []);
  // The requested prototype an object of an unrequested subclass sits below.
  let under: object | undefined;
  const homeOf = perObjectHomes();
  const mixins = new Set<object>();
  const below = (object: object): boolean => {
    for (let p = getPrototypeOf(getPrototypeOf(object)); p !== null; p = getPrototypeOf(p)) {
      if (!lists.has(p)) continue;
      under = p;
      if (homeOf(object) !== p) return others !== undefined;
      noteMixins(object, p, mixins);
      return true;
    }
    return false;
  };
  for (const root of queryRoots(prototypes)) {
    const stash: Stash = { prototype: root, found: undefined };
    forEachInstance(
      query(session, stash),
      stash,
      (object) => lists.has(getPrototypeOf(object) as object) || below(object),
      (object) => {
        const list = lists.get(getPrototypeOf(object) as object) ?? lists.get(homeOf(object)!);
        if (list !== undefined) list.push(object);
        else if (others!.has(under!)) others!.get(under!)!.push(object);
        else others!.set(under!, [object]);
      },
    );
  }
  if (mixins.size > 0) for (const [p, list] of lists) lists.set(p, withoutMixins(list, mixins));
  return lists;
}

/** The per-object mixins between `object` and its class's prototype `home` (finder.ts perObjectHome): none is an instance. */
function noteMixins(object: object, home: object, mixins: Set<object>): void {
  notePerObjectInstance();
  for (let p = getPrototypeOf(object) as object; p !== home; p = getPrototypeOf(p) as object) {
    mixins.add(p);
  }
}

function withoutMixins(found: object[], mixins: ReadonlySet<object>): object[] {
  return mixins.size === 0 ? found : found.filter((object) => !mixins.has(object));
}

export function createHeapFinder(): HeapFinder {
  const { Session } = loadInspector();
  const session = new Session();
  // Fail at creation, not inside a commit, when the heap cannot be queried here
  // (no inspector, an asynchronous one, or a realm the inspector does not see).
  withSession(session, { prototype: null, found: undefined }, () => {
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
  return {
    kind: "heap",
    enable(_prototype: object): void {},
    record(_instance: object): void {},
    recordConstructed(_instance: object): void {},
    find: (prototype, options) => find(session, prototype, options),
    findEach: (prototypes, others) => findEach(session, prototypes, others),
  };
}
