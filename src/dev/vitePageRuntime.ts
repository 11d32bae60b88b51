/**
 * The browser side of the Vite plugin (`metamorph/vite`). Modules that define
 * classes are rewritten by the plugin so that each class binding becomes a
 * class handle managed here, and so that they accept their own hot updates.
 * When Vite re-imports a new version of such a module, its classes arrive
 * here again: instead of new, unrelated classes, they become the new
 * implementations of the existing handles, in one update (`updateSync`) that
 * migrates every live instance in the page — same objects, same state, new
 * code. Importers keep their bindings, which hold the handles. An edit of a
 * class with an `async` call in flight waits for it (./vitePageUpdate.ts);
 * edits are applied one at a time, in the order they arrived.
 *
 * This is the same library code as in Node, except the reading of a class's
 * source: the dev server parses each class when it transforms the module and
 * hands the result over with the class (`manage`); the page's stand-in for
 * the class-source module reads it from a global table (see ./vite.ts).
 * What only an edit needs — planning, migration, validation — is
 * ./vitePageEngine.ts, imported on the first edit: until then the page has
 * loaded what registers classes and makes their objects, nothing more.
 */
import { CallTracker } from "../lifecycle/callTracking.js";
import { isClassHandle } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import { Namespace } from "../namespace/namespace.js";
import { SuspendableTracking } from "./tracking.js";
import { type HotContext, handOn } from "./vitePageExports.js";
import { arriving, movedAway } from "./vitePageMoves.js";
import { message, status } from "./vitePageStatus.js";
import { type QueuedEdit, replaceMethods, schedule } from "./vitePageQueue.js";
import type { InitialiserHazard } from "./initialisers.js";
import type { HandedClassSource } from "./vitePageClassSource.js";
import type { PageEdit } from "./vitePageEngine.js";
import { unmanagedReason } from "./common.js";
import { hold, leave, revisit, type Transplant, type UnmanagedClass } from "./vitePageUnmanaged.js";
import {
  type GuardedStatement,
  planTopLevel,
  type TopLevelPlan,
  type TopLevelState,
} from "./vitePageTopLevel.js";

const PREFIX = "[metamorph]";
const STILL_RELOADED = "its methods are still reloaded, its fields are not";

// The adaptive finder: a page has no heap to query, so it is the registry, which
// records at most a cap of objects per task and counts the rest without keeping
// them alive (src/mop/instances/untracked.ts): no task of temporaries can exhaust
// the page's memory or abort it.
export const namespace = new Namespace("vite", { instanceFinder: "adaptive" });

/**
 * Calls in flight of the managed classes' `async` methods, which an edit of
 * their class waits for (./quiescentUpdate.ts). Tracked from registration:
 * a call that started before would be invisible. A page has no
 * AsyncLocalStorage: a call on an object with a call in flight passes a
 * hold, so that a call awaiting another method of its object drains.
 */
const tracking = new SuspendableTracking(new CallTracker({ followReceiver: true }));

interface ModuleRecord {
  readonly path: string;
  readonly classes: Map<string, Constructor>;
  readonly used: Set<string>;
  /** Classes left unmanaged, whose edits replace their methods (./vitePageUnmanaged.ts). */
  readonly unmanaged: Map<string, UnmanagedClass>;
  versions: number;
  /** The hash of the text of the version evaluated last. */
  version?: string | undefined;
  /** The version evaluated last has the text of the one before: a module it imports changed. */
  reimported?: boolean;
  /** The source of each class's implementation running (an edit applied gives the new one). */
  readonly texts: Map<string, string>;
  /** What the running version's top-level statements declared (./vitePageTopLevel.ts). */
  topLevel?: TopLevelState;
  /** The static initialisers of the version applied last (./vitePageTopLevel.ts `same`). */
  statics?: ReadonlyMap<string, string>;
}

export { status };

const records = new Map<string, ModuleRecord>();
/** The implementation applied last to each handle, as the dev server read it (PageEdit.running). */
const applied = new WeakMap<Function, Function>();

/** Parsed class sources handed over by the dev server, read by the page's class-source stand-in. */
const classSources = ((globalThis as Record<symbol, unknown>)[
  Symbol.for("metamorph.classSources")
] ??= new WeakMap<Function, HandedClassSource>()) as WeakMap<Function, HandedClassSource>;

export interface ModuleApi extends Omit<TopLevelPlan, "reload" | "state"> {
  /**
   * Called at the end of the module with readers of its top-level variables,
   * for its next version, and the hash of the module's text (the same as the
   * running version's: it is evaluated again because a module it imports changed).
   */
  scope(read: Record<string, () => unknown>, version?: string): void;
  /**
   * Called right after each class declaration, with its source as the
   * server parsed it (and its initialisers that read fields a new object
   * does not have yet); returns what the binding must hold.
   */
  manage(
    name: string,
    cls: Function,
    source: HandedClassSource | null,
    hazards?: readonly InitialiserHazard[],
    /** Assigns the module's binding of the class (when it moved here from another module). */
    bind?: (value: Function) => void,
  ): Function;
  /**
   * Called with a class a module variable holds (`let X = class …`, as
   * TypeScript's experimentalDecorators compile a decorated class): left
   * unmanaged, a later version gives the running class its methods; returns
   * what the variable must hold.
   */
  held(name: string, cls: Function, decorated?: boolean): Function;
  /** Called at the end of the module: applies the new versions of its classes, if any. */
  commit(migrations?: Record<string, unknown>): void;
  /**
   * Called by Vite (in the old module instance) with the new one after a hot
   * update: when the module's other exports changed, the update goes on to
   * its importers (Vite reloads the page if none accepts it), saying why.
   */
  accepted(
    hot: HotContext | undefined,
    next: Record<string, unknown> | undefined,
    previous: Record<string, unknown>,
    opaque: string | null,
    /** Its other exports that read what it imports (./viteInstrument.ts `otherExports`). */
    importing?: readonly string[],
  ): void;
}

/** Classes an evaluation of a module no longer defines. */
function warnRemoved(record: ModuleRecord, defined: ReadonlySet<string>): void {
  // metamorph dev restarts for this; the page said nothing (review advX1).
  if (record.versions === 1) return;
  for (const name of record.classes.keys())
    if (!defined.has(name))
      console.warn(
        `${PREFIX} ${record.path}: class ${name} was removed: its objects keep the code they had — reload the page to be rid of them`,
      );
}

/** The record of the module at `path`, counting this evaluation. */
function recordOf(path: string): { record: ModuleRecord; first: boolean } {
  const record = records.get(path);
  if (record) {
    record.versions++;
    return { record, first: false };
  }
  const made: ModuleRecord = {
    path,
    classes: new Map(),
    used: new Set(),
    unmanaged: new Map(),
    texts: new Map(),
    versions: 1,
  };
  records.set(path, made);
  return { record: made, first: true };
}

/**
 * Registers one evaluation of a module (`url` is its import.meta.url;
 * `statements` its guarded top-level statements, ./viteTopLevel.ts).
 */
export function module(url: string, statements: readonly GuardedStatement[] = []): ModuleApi {
  const path = new URL(url).pathname;
  const { record: current, first } = recordOf(path);
  const plan = planTopLevel(statements, first ? undefined : current.topLevel, current.statics);
  const state = plan.state;
  const pending: PageEdit["pending"][number][] = [];
  const revisited: Transplant[] = [];
  /** The classes this evaluation of the module defines (one it no longer does was removed). */
  const defined = new Set<string>();
  return {
    ...plan,
    scope(read, version) {
      state.scope = read;
      current.reimported = !first && version !== undefined && version === current.version;
      current.version = version;
      // Only a finished evaluation: after one that threw part-way, the next compares with the last that finished.
      if (plan.reload === undefined) current.topLevel = state;
    },
    manage(name, cls, source, hazards = [], bind) {
      defined.add(name);
      if (source) classSources.set(cls, source);
      const text = Function.prototype.toString.call(cls);
      const existing = current.classes.get(name);
      if (existing) {
        const unchanged = current.texts.get(name) === text;
        pending.push({ name, handle: existing, implementation: cls, hazards, unchanged });
        return existing;
      }
      const unmanaged = current.unmanaged.get(name);
      if (unmanaged) return revisit(unmanaged, name, cls, revisited);
      current.texts.set(name, text);
      return register(current, name, cls, first, bind);
    },
    held(name, cls, decorated) {
      const running = plan.kept(name);
      return hold(current.unmanaged, path, name, cls, decorated === true, running, revisited);
    },
    accepted(hot, next, previous, opaque, importing = []) {
      if (!hot || !next || plan.reload !== undefined || reloading) return;
      handOn(path, hot, next, previous, opaque, current.reimported ? importing : undefined);
    },
    commit(migrationsModule) {
      if (reloading) return;
      // A static a package class read once (Lit's styles) is applied by a reload only.
      const why = plan.reload ?? revisited.find((t) => t.reload !== undefined)?.reload;
      if (why !== undefined) {
        reload(`${path}: ${why}: the page reloads`);
        return;
      }
      pending.push(...movedAway(path, current.classes, defined));
      warnRemoved(current, defined);
      const transplants = revisited.filter((t) => !t.same || current.reimported);
      if (pending.length === 0) {
        current.statics = state.statics;
        if (transplants.length > 0) replaceMethods(path, transplants);
        return;
      }
      const edit: QueuedEdit = {
        applied: () => {
          current.statics = state.statics;
          for (const p of pending) {
            applied.set(p.handle, p.implementation);
            current.texts.set(p.name, Function.prototype.toString.call(p.implementation));
          }
        },
        transplants,
        running: (handle) => applied.get(handle),
        path,
        versions: current.versions,
        pending,
        importChanged: current.reimported === true,
        used: current.used,
        migrationsModule: migrationsModule as Record<string, unknown> | undefined,
      };
      schedule(edit, { namespace, tracking });
    },
  };
}

/**
 * Set while the modules of an update that reloads the page are evaluated:
 * those after the one that decided it apply nothing (the page starts again).
 */
let reloading = false;

/** As plain Vite does with a module that accepts no update: the page starts again, with the new code. */
function reload(line: string): void {
  status.last = line;
  console.info(`${PREFIX} ${status.last}`);
  reloading = true;
  // The modules of one hot update are evaluated in one job (./vitePageMoves.ts).
  queueMicrotask(() => {
    reloading = false;
  });
  globalThis.location?.reload();
}

/**
 * What the binding of a class new to its module holds: its handle, or the
 * class itself, left unmanaged (saying why).
 */
function register(
  current: ModuleRecord,
  name: string,
  cls: Function,
  first: boolean,
  bind: ((value: Function) => void) | undefined,
): Function {
  const { path } = current;
  if (namespace.has(name)) {
    const adopt = (handle: Constructor) => current.classes.set(name, handle);
    arriving(name, { path, cls, bind: bind ?? (() => {}), adopt }, () => {
      leave(
        current.unmanaged,
        name,
        cls,
        `another module already defines a managed class named ${name}`,
      );
      console.warn(
        `${PREFIX} ${path}: class ${name} is not managed: another module already defines a managed class named ${name}; ${STILL_RELOADED}`,
      );
    });
    return cls;
  }
  try {
    // The module's binding of the class is the handle from here on (viteInstrument.ts).
    const handle = namespace.registerClass(cls as Constructor, {
      constructedOnlyThroughHandle: true,
    });
    current.classes.set(name, handle);
    track(handle);
    if (!first) console.info(`${PREFIX} ${path}: new class ${name}`);
    return handle;
  } catch (error) {
    const reason = unmanagedReason(message(error, path));
    leave(current.unmanaged, name, cls, reason);
    console.warn(`${PREFIX} ${path}: class ${name} is not managed: ${reason}; ${STILL_RELOADED}`);
    return cls;
  }
}

function track(handle: Constructor): void {
  try {
    tracking.track(handle);
  } catch {
    // Untracked: its edits never wait for calls in flight.
  }
}

/** Whether a value is a class handle managed in this page. */
export function isManaged(value: unknown): boolean {
  return isClassHandle(value) && namespace.owns(value);
}
