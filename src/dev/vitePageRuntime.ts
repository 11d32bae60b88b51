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
import { codedMessage } from "./common.js";
import { pageWording } from "./pageWording.js";
import { afterTimeout, SuspendableTracking } from "./tracking.js";
import { arriving, movedAway } from "./vitePageMoves.js";
import { cannotApplyInPlace, overlay } from "./vitePageRefusals.js";
import type { InitialiserHazard } from "./initialisers.js";
import type { HandedClassSource } from "./vitePageClassSource.js";
import type { AppliedEdit, PageEdit } from "./vitePageEngine.js";
import type { PageResult } from "./vitePageUpdate.js";
import {
  type GuardedStatement,
  planTopLevel,
  type TopLevelPlan,
  type TopLevelState,
} from "./vitePageTopLevel.js";

const PREFIX = "[metamorph]";

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
  versions: number;
  /** What the running version's top-level statements declared (./vitePageTopLevel.ts). */
  topLevel?: TopLevelState;
  /** The static initialisers of the version applied last (./vitePageTopLevel.ts `same`). */
  statics?: ReadonlyMap<string, string>;
}

const records = new Map<string, ModuleRecord>();
/** The implementation applied last to each handle, as the dev server read it (PageEdit.running). */
const applied = new WeakMap<Function, Function>();

/**
 * What the page can inspect: how many updates were applied, how many failed
 * (refused, or rolled back while migrating progressively), how many are
 * still migrating progressively, and the last line written.
 */
export const status = { updates: 0, failures: 0, migrating: 0, last: "" };
(globalThis as Record<string, unknown>).__metamorph = status;

/** Parsed class sources handed over by the dev server, read by the page's class-source stand-in. */
const classSources = ((globalThis as Record<symbol, unknown>)[
  Symbol.for("metamorph.classSources")
] ??= new WeakMap<Function, HandedClassSource>()) as WeakMap<Function, HandedClassSource>;

function message(error: unknown, path: string): string {
  return pageWording(codedMessage(error), path);
}

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

/** The part of Vite's `import.meta.hot` used here. */
interface HotContext {
  invalidate(message?: string): void;
}

/** Whether a new export is the same as the old: the same value, or a function with the same source. */
function sameExport(before: unknown, after: unknown): boolean {
  if (Object.is(before, after)) return true;
  return (
    typeof before === "function" &&
    typeof after === "function" &&
    !isClassHandle(before) &&
    Function.prototype.toString.call(before) === Function.prototype.toString.call(after)
  );
}

/**
 * After a hot update: when the module's other exports changed (or cannot be
 * compared), the update goes on to its importers through Vite, saying why.
 */
function handOn(
  path: string,
  hot: HotContext,
  next: Record<string, unknown>,
  previous: Record<string, unknown>,
  opaque: string | null,
): void {
  const changed = Object.keys(previous).filter((name) => !sameExport(previous[name], next[name]));
  const reason = opaque
    ? `${path} cannot be updated in place because ${opaque}`
    : changed.length > 0
      ? `${path} exports ${changed.join(", ")} besides its classes, and ${changed.length === 1 ? "it" : "they"} changed`
      : undefined;
  if (reason === undefined) return;
  console.info(
    `${PREFIX} ${reason}: its classes were updated in place; Vite now updates its importers (a page reload if none accepts the update)`,
  );
  hot.invalidate(`metamorph: ${reason}`);
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
  const made: ModuleRecord = { path, classes: new Map(), used: new Set(), versions: 1 };
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
      if (namespace.has(name)) {
        const adopt = (handle: Constructor) => current.classes.set(name, handle);
        arriving(name, { path, cls, bind: bind ?? (() => {}), adopt }, () =>
          console.warn(
            `${PREFIX} ${path}: class ${name} is not managed: another module already defines a managed class named ${name}`,
          ),
        );
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
        console.warn(`${PREFIX} ${path}: class ${name} is not managed: ${message(error, path)}`);
        return cls;
      }
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
        return;
      }
      const edit: PageEdit = {
        applied: () => {
          current.statics = state.statics;
          for (const p of pending) applied.set(p.handle, p.implementation);
        },
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
function schedule(edit: PageEdit): void {
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
function applyEdit(loaded: Engine, edit: PageEdit): Promise<void> | undefined {
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

function reportApplied({ path, applied: done }: PageEdit, applied: AppliedEdit): undefined {
  done?.();
  const { result, population, progressive, described, classes, warnings } = applied;
  status.updates++;
  const migrated = progressive
    ? `migrating ${population} instance${population === 1 ? "" : "s"} progressively`
    : `${result.instancesMigrated} instance${result.instancesMigrated === 1 ? "" : "s"} migrated`;
  status.last = `${path}: updated ${described} | ${migrated}, pause ${result.pauseMs.toFixed(2)} ms`;
  console.info(`${PREFIX} ${status.last}`);
  if (progressive) followOnPage(path, result);
  for (const warning of warnings) console.warn(`${PREFIX} ${path}: warning: ${warning}`);
  // The page may re-render to show the new behaviour: addEventListener("metamorph:update", …).
  globalThis.dispatchEvent?.(
    new CustomEvent("metamorph:update", { detail: { module: path, classes } }),
  );
  return undefined;
}

/** A duration for people. */
function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}

/** Reports the end of a progressive migration: its duration, or the failure that rolled it back. */
function followOnPage(path: string, result: PageResult): void {
  const t0 = performance.now();
  status.migrating++;
  result.completion.then(
    (done) => {
      status.migrating--;
      const migrated = done?.migrated ?? 0;
      status.last = `${path}: ${migrated} instance${migrated === 1 ? "" : "s"} migrated progressively in ${duration(performance.now() - t0)}`;
      console.info(`${PREFIX} ${status.last}`);
    },
    (error: unknown) => {
      status.migrating--;
      status.failures++;
      status.last = `${path}: error: ${message(error, path)} — the update was rolled back; save again to retry`;
      console.error(`${PREFIX} ${status.last}`);
    },
  );
}

/** Whether a value is a class handle managed in this page. */
export function isManaged(value: unknown): boolean {
  return isClassHandle(value) && namespace.owns(value);
}
