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
import { afterTimeout, SuspendableTracking } from "./tracking.js";
import { type HotContext, handOn } from "./vitePageExports.js";
import { arriving, movedAway } from "./vitePageMoves.js";
import { followOnPage, message, status, tell } from "./vitePageStatus.js";
import { cannotApplyInPlace, overlay } from "./vitePageRefusals.js";
import type { InitialiserHazard } from "./initialisers.js";
import type { HandedClassSource } from "./vitePageClassSource.js";
import type { AppliedEdit, PageEdit } from "./vitePageEngine.js";
import { unmanagedReason } from "./common.js";
import { leave, revisit, type Transplant, type UnmanagedClass } from "./vitePageUnmanaged.js";
import {
  type GuardedStatement,
  planTopLevel,
  type TopLevelPlan,
  type TopLevelState,
} from "./vitePageTopLevel.js";

const PREFIX = "[metamorph]";
const STILL_RELOADED = "its methods are still reloaded, its fields are not";

/** An edit as queued: with the edits of its module's unmanaged classes, applied after it. */
interface QueuedEdit extends PageEdit {
  readonly transplants: readonly Transplant[];
}

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
  /** Called at the end of the module with readers of its top-level variables, for its next version. */
  scope(read: Record<string, () => unknown>): void;
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
  const transplants: Transplant[] = [];
  /** The classes this evaluation of the module defines (one it no longer does was removed). */
  const defined = new Set<string>();
  return {
    ...plan,
    scope(read) {
      state.scope = read;
      // Only a finished evaluation: after one that threw part-way, the next compares with the last that finished.
      if (plan.reload === undefined) current.topLevel = state;
    },
    manage(name, cls, source, hazards = [], bind) {
      defined.add(name);
      if (source) classSources.set(cls, source);
      const existing = current.classes.get(name);
      if (existing) {
        pending.push({ name, handle: existing, implementation: cls, hazards });
        return existing;
      }
      const unmanaged = current.unmanaged.get(name);
      if (unmanaged) return revisit(unmanaged, name, cls, transplants);
      return register(current, name, cls, first, bind);
    },
    accepted(hot, next, previous, opaque) {
      if (hot && next && plan.reload === undefined) handOn(path, hot, next, previous, opaque);
    },
    commit(migrationsModule) {
      if (plan.reload !== undefined) {
        // As plain Vite does with a module that accepts no update: the page starts again, with the new code.
        status.last = `${path}: ${plan.reload}: the page reloads`;
        console.info(`${PREFIX} ${status.last}`);
        globalThis.location?.reload();
        return;
      }
      pending.push(...movedAway(path, current.classes, defined));
      warnRemoved(current, defined);
      if (pending.length === 0) {
        current.statics = state.statics;
        if (transplants.length > 0) replaceMethods(path, transplants);
        return;
      }
      const edit: QueuedEdit = {
        applied: () => {
          current.statics = state.statics;
          for (const p of pending) applied.set(p.handle, p.implementation);
        },
        transplants,
        running: (handle) => applied.get(handle),
        path,
        versions: current.versions,
        pending,
        used: current.used,
        migrationsModule: migrationsModule as Record<string, unknown> | undefined,
      };
      schedule(edit);
    },
  };
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

type Engine = typeof import("./vitePageEngine.js");
let engine: Engine | undefined;
let loading: Promise<Engine> | undefined;

function loadEngine(): Promise<Engine> {
  loading ??= import("./vitePageEngine.js").then((loaded) => {
    engine = loaded;
    return loaded;
  });
  return loading;
}

function refused(path: string, error: unknown): void {
  status.failures++;
  if (cannotApplyInPlace(error)) {
    // As Vite does with an update nothing accepts: the page starts again, with the new code.
    status.last = `${path}: ${message(error, path)} — the page reloads`;
    console.warn(`${PREFIX} ${status.last}`);
    globalThis.location?.reload();
    return;
  }
  const advice = afterTimeout(error, "reload the page");
  status.last = `${path}: error: ${message(error, path)} — ${advice ?? "the running version is kept; save again to retry"}`;
  console.error(`${PREFIX} ${status.last}`);
  overlay(path, status.last);
}

/** Edits not applied yet, in order: waiting for the engine to load, or for an earlier edit's calls in flight. */
let queue: Promise<void> | undefined;

/** Applies an edit now if nothing is before it, otherwise after what is. */
function schedule(edit: QueuedEdit): void {
  if (engine !== undefined && queue === undefined) {
    enqueue(applyEdit(engine, edit));
    return;
  }
  enqueue(
    (queue ?? Promise.resolve()).then(loadEngine).then(
      (loaded) => applyEdit(loaded, edit),
      (error: unknown) => refused(edit.path, error),
    ),
  );
}

function enqueue(later: Promise<void> | undefined): void {
  if (later === undefined) return;
  const settled: Promise<void> = later.finally(() => {
    if (queue === settled) queue = undefined;
  });
  queue = settled;
}

/**
 * Applies one edit, saying what it did (or why it was refused, nothing
 * changed); a promise when it waits for calls in flight. Never rejects.
 */
function applyEdit(loaded: Engine, edit: QueuedEdit): Promise<void> | undefined {
  const { path } = edit;
  const waiting = (line: string): void => {
    status.last = `${path}: ${line}`;
    console.info(`${PREFIX} ${status.last}`);
  };
  try {
    const applied = loaded.applyEdit(namespace, edit, { tracking, waiting });
    if (!(applied instanceof Promise)) return reportApplied(edit, applied);
    return applied.then(
      (done) => reportApplied(edit, done),
      (error: unknown) => refused(path, error),
    );
  } catch (error) {
    refused(path, error);
    return undefined;
  }
}

function reportApplied(edit: QueuedEdit, applied: AppliedEdit): undefined {
  edit.applied?.();
  const { result, population, progressive, described, classes, warnings, notes } = applied;
  const migrated = progressive
    ? `migrating ${population} instance${population === 1 ? "" : "s"} progressively`
    : `${result.instancesMigrated} instance${result.instancesMigrated === 1 ? "" : "s"} migrated`;
  const { transplants } = edit;
  const replaced = transplants.map((t) => t.apply());
  const parts = [described, ...transplants.map((t) => `methods of ${t.name}`)];
  const line = `updated ${parts.join("; ")} | ${migrated}, pause ${result.pauseMs.toFixed(2)} ms`;
  const names = [...classes, ...transplants.map((t) => t.name)];
  tell(edit.path, line, [...warnings, ...replaced], names, notes);
  if (progressive) followOnPage(edit.path, result);
  return undefined;
}

/** Edits of unmanaged classes alone: their methods replaced, in turn with the edits before them. */
function replaceMethods(path: string, transplants: readonly Transplant[]): void {
  const replace = () => {
    const warnings = transplants.map((t) => t.apply());
    const names = transplants.map((t) => t.name);
    tell(path, `updated ${names.map((n) => `methods of ${n}`).join("; ")}`, warnings, names);
  };
  if (queue === undefined) replace();
  else enqueue(queue.then(replace));
}

/** Whether a value is a class handle managed in this page. */
export function isManaged(value: unknown): boolean {
  return isClassHandle(value) && namespace.owns(value);
}
