/**
 * In-flight calls of the methods of managed classes: what alterability for
 * asynchronous code is decided on.
 *
 * A class handle keeps one prototype for the whole life of its class, so every
 * call of an instance method passes through that prototype's property.
 * Tracking a class redefines each of its methods there by a wrapper that
 * counts the call as in flight until it returns — or, when it returns a native
 * promise, until that promise settles; a generator method's call, until its
 * generator finishes (generatorCalls.ts) — and then calls the method it replaced
 * with `Reflect.apply` (the method keeps its own home object, so `super`
 * inside it and `super.m()` from subclasses work unchanged).
 *
 * Wrappers stay correct across updates: each one closes over the function it
 * wrapped, so an update's undo log, which may restore a wrapper of an old
 * version, restores a wrapper that still calls the old version. An update
 * replaces wrappers by the new version's methods; `refresh()` wraps those
 * (the lifecycle calls it in the same synchronous block as the commit, so no
 * call can slip through untracked).
 *
 * Holding (forced quiescence): while a hold covers a method, a new call of it
 * is queued at entry instead of running, and its caller gets a promise for
 * the result; `release()` runs the queued calls in arrival order on whatever
 * version is current by then. Only methods that return promises can be held:
 * `async` methods, and methods declared `holdable`. A synchronous method's
 * caller expects its value now, and a synchronous call can never straddle a
 * synchronous commit anyway, so those calls run through a hold (and still
 * count as in flight while they run — which matters for a re-entrant update
 * point inside such a method).
 *
 * Limits (documented in docs/lifecycle.md): calls that started before the
 * class was tracked are invisible, so track at start-up; accessors and static
 * methods are not tracked; a promise that is not a native `Promise` (any other
 * thenable) counts only while the method itself runs, because calling its
 * `then` could start work.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { LifecycleError, UnmanagedClassError } from "../errors.js";
import { isClassHandle } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import type { Hold, Queued } from "./holds.js";
import { HoldState } from "./holds.js";
import { passes, runPassing } from "./holdPassage.js";
import type { Call, CallRecord, MethodSlot } from "./inFlightCalls.js";
import {
  anyCovered,
  CallList,
  callRecords,
  newCall,
  ReceiverCounts,
  record,
} from "./inFlightCalls.js";
import { followGenerator, isGeneratorFunction } from "./generatorCalls.js";
import { subclassesOf } from "./subclasses.js";
import type { TrackedClass, TrackOptions } from "./methodWrapping.js";
import { callWrapped, unwrapClass, wrapClass, wrapperInfo } from "./methodWrapping.js";
import type { QuiescenceTarget } from "./quiescenceTargets.js";
import { targetClass, targetCovers } from "./quiescenceTargets.js";
import type { CallTrackerOptions } from "./trackerOptions.js";
import { requireTrackerOptions, requireTrackOptions } from "./trackerOptions.js";

// The vocabulary of tracking, where the lifecycle looks for it.
export type { Hold } from "./holds.js";
export type { TrackOptions } from "./methodWrapping.js";
export type { CallRecord } from "./inFlightCalls.js";
export type { QuiescenceTarget } from "./quiescenceTargets.js";
export type { CallTrackerOptions } from "./trackerOptions.js";

let nextCallId = 1;

export class CallTracker {
  readonly #classes = new Map<Constructor, TrackedClass>();
  /** Calls awaiting their promise. */
  readonly #inFlight = new CallList();
  /** Synchronous calls running now, outermost first. */
  readonly #stack: MethodSlot[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #context: AsyncLocalStorage<Call> | undefined;
  /** With followReceiver: calls in flight per receiver. */
  readonly #receivers: ReceiverCounts | undefined;
  #hold: HoldState | undefined;

  constructor(options: CallTrackerOptions = {}) {
    requireTrackerOptions(options);
    this.#context = options.followAsyncContext ? new AsyncLocalStorage<Call>() : undefined;
    this.#receivers = options.followReceiver ? new ReceiverCounts() : undefined;
  }

  /**
   * Starts tracking the instance methods of a class handle (again: refreshes),
   * and its subclasses' own methods with the same options — those defined
   * later from the tracker's next `refresh()` on. Calls already running when
   * tracking starts are not seen.
   */
  track(handle: Constructor, options: TrackOptions = {}): this {
    if (!isClassHandle(handle)) {
      throw new UnmanagedClassError(
        `${(handle as Function)?.name || "(anonymous)"} is not a class handle; define or register the class with a namespace and track the handle it returns`,
        { className: (handle as Function)?.name },
      );
    }
    requireTrackOptions(options);
    let existing = this.#classes.get(handle);
    if (existing?.coveredBy !== undefined) {
      // Covered so far with its superclass's options: tracked on its own from now on.
      unwrapClass(this, existing);
      existing = undefined;
    }
    const tracked: TrackedClass = existing
      ? { handle, options, slots: existing.slots }
      : { handle, options, slots: new Map() };
    this.#classes.set(handle, tracked);
    this.#wrapClass(tracked);
    this.#coverSubclasses();
    return this;
  }

  /** Tracks the subclasses of tracked classes that no entry tracks yet; returns the methods it wrapped. */
  #coverSubclasses(): string[] {
    const own = new Set<Constructor>();
    for (const t of this.#classes.values()) if (t.coveredBy === undefined) own.add(t.handle);
    const wrapped: string[] = [];
    for (const [sub, by] of subclassesOf(own, (c) => this.#classes.has(c))) {
      const covered = { ...this.#classes.get(by)!, handle: sub, slots: new Map(), coveredBy: by };
      this.#classes.set(sub, covered);
      wrapped.push(...this.#wrapClass(covered));
    }
    return wrapped;
  }

  isTracking(handle: Constructor): boolean {
    return this.#classes.has(handle);
  }

  /** Classes tracked, in the order they were first tracked. */
  trackedClasses(): Constructor[] {
    return [...this.#classes.keys()];
  }

  /**
   * Stops tracking a class and the subclasses it covered: their methods
   * become the unwrapped functions again (where a wrapper of this tracker is
   * still the installed method). A subclass of a class still tracked stays
   * covered by it. Calls in flight keep being counted until they end.
   */
  untrack(handle: Constructor): void {
    const tracked = this.#classes.get(handle);
    if (!tracked) return;
    for (const t of [tracked, ...this.#classes.values()]) {
      if (t !== tracked && t.coveredBy !== handle) continue;
      this.#classes.delete(t.handle);
      unwrapClass(this, t);
    }
    this.#coverSubclasses();
  }

  /** Stops tracking every class. */
  untrackAll(): void {
    for (const handle of [...this.#classes.keys()]) this.untrack(handle);
  }

  /**
   * Wraps every tracked method whose installed function is not one of this
   * tracker's wrappers (an update installed new methods, a rollback restored
   * old ones, lazy guards came or went), and the subclasses of tracked
   * classes defined since. Returns the methods it wrapped anew.
   */
  refresh(): string[] {
    const wrapped = this.#coverSubclasses();
    for (const tracked of this.#classes.values()) wrapped.push(...this.#wrapClass(tracked));
    return wrapped;
  }

  #wrapClass(tracked: TrackedClass): string[] {
    return wrapClass(this, tracked, (slot, original, self, args) =>
      this.#enter(slot, original, self, args),
    );
  }

  #enter(slot: MethodSlot, original: Function, self: unknown, args: unknown[]): unknown {
    const hold = this.#hold;
    if (
      hold !== undefined &&
      slot.holdable &&
      hold.covers(slot) &&
      !this.#insideLiveCall() &&
      !(this.#receivers?.has(self) ?? false) &&
      !passes(hold)
    ) {
      return hold.enqueue(slot, self, args);
    }
    return this.#invoke(slot, original, self, args);
  }

  #insideLiveCall(): boolean {
    const parent = this.#context?.getStore();
    return parent !== undefined && !parent.ended;
  }

  /**
   * Runs one call, counted as in flight. Synchronous calls nest, so while one
   * runs it is on a stack (a push and a pop: no allocation, no clock); only a
   * call that returns a promise (or a generator method's generator:
   * generatorCalls.ts) gets a record, a start time and a place in the
   * in-flight set until it settles (see bench figures in docs/lifecycle.md).
   */
  #invoke(slot: MethodSlot, fn: Function, self: unknown, args: unknown[]): unknown {
    const stack = this.#stack;
    stack.push(slot);
    let result: unknown;
    let context: Call | undefined;
    try {
      if (this.#context) {
        const call = newCall(nextCallId++, slot, false);
        context = call;
        result = this.#context.run(call, () => callWrapped(fn, self, args));
      } else result = callWrapped(fn, self, args);
    } finally {
      // Frames push and pop in strict nesting order, exceptions included.
      stack.pop();
      if (context) context.ended = true;
    }
    if (result instanceof Promise) {
      const end = this.#awaiting(context ?? newCall(nextCallId++, slot, true), self);
      // A chained promise, not a reaction on the method's own one: a rejection
      // the caller does not handle is still reported as unhandled.
      return result.then(
        (value) => {
          end();
          return value;
        },
        (error) => {
          end();
          throw error;
        },
      );
    }
    if (typeof result === "object" && result !== null && isGeneratorFunction(fn)) {
      const call = context ?? newCall(nextCallId++, slot, true);
      const storage = this.#context;
      const around = storage ? (step: () => unknown) => storage.run(call, step) : undefined;
      followGenerator(result, this.#awaiting(call, self), around);
    }
    return result;
  }

  /** Puts a call in the in-flight set until the returned function is called. */
  #awaiting(call: Call, self: unknown): () => void {
    call.awaiting = true;
    call.ended = false;
    this.#inFlight.add(call);
    const receiver = this.#receivers?.enter(self);
    return () => this.#end(call, receiver);
  }

  #end(call: Call, receiver?: object): void {
    if (call.ended) return;
    call.ended = true;
    if (receiver !== undefined) this.#receivers?.leave(receiver);
    this.#inFlight.delete(call);
    this.#notify();
  }

  #notify(): void {
    if (this.#listeners.size === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // A listener's failure must not break the program's call.
      }
    }
  }

  /** Called after any call ends and whenever the set of queued calls changes; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Calls in flight now: the synchronous calls running (outermost first; an
   * update point inside a tracked method sees them, with `startedAt` NaN),
   * then the calls awaiting their promise, oldest first. All, or those of the
   * targets.
   */
  inFlight(targets?: readonly QuiescenceTarget[]): CallRecord[] {
    return callRecords(this.#stack, this.#inFlight, targets);
  }

  /** Those of the given (awaiting) calls still in flight. */
  stillInFlight(ids: readonly number[]): CallRecord[] {
    const wanted = new Set(ids);
    return [...this.#inFlight].filter((c) => wanted.has(c.id)).map(record);
  }

  /** No call of the targets' methods is in flight. */
  isQuiescent(targets: readonly QuiescenceTarget[]): boolean {
    return !anyCovered(this.#stack, this.#inFlight, targets);
  }

  /** Methods of the targets that a hold would queue (the `async` and declared-holdable ones). */
  holdableMethods(targets: readonly QuiescenceTarget[]): string[] {
    const out: string[] = [];
    for (const tracked of this.#classes.values()) {
      for (const slot of tracked.slots.values()) {
        if (
          slot.holdable &&
          slot.wrapper &&
          targets.some((t) => targetCovers(t, slot.handle, slot.key))
        ) {
          out.push(`${slot.className}.${slot.method}`);
        }
      }
    }
    return out;
  }

  get holding(): boolean {
    return this.#hold !== undefined;
  }

  /**
   * Starts holding new calls of the targets' holdable methods at entry. One
   * hold at a time per tracker; every target class must be tracked.
   */
  hold(targets: readonly QuiescenceTarget[]): Hold {
    if (this.#hold !== undefined) {
      throw new LifecycleError("this call tracker is already holding calls for another update", {});
    }
    for (const target of targets) {
      const cls = targetClass(target);
      if (!this.#classes.has(cls)) {
        throw new LifecycleError(
          `${cls.name} is not tracked, so its calls cannot be held; track it first`,
          {
            className: cls.name,
          },
        );
      }
    }
    const state = new HoldState(targets, () => {
      this.#notify();
    });
    this.#hold = state;
    const tracker = this;
    return {
      startedAt: state.startedAt,
      queued: () => state.queue.length,
      heldSoFar: () => state.total,
      get released() {
        return state.released;
      },
      pass: (fn) => runPassing(state, fn),
      release(): number {
        if (state.released) return 0;
        state.released = true;
        if (tracker.#hold === state) tracker.#hold = undefined;
        const queue = state.queue.splice(0);
        for (const q of queue) tracker.#runQueued(q);
        tracker.#notify();
        return queue.length;
      },
    };
  }

  /** Runs a released call on the method current now, counted as in flight like any call. */
  #runQueued(q: Queued): void {
    let fn: unknown;
    try {
      // Looked up from the prototype the call entered through, so a call that
      // came through `super.m()` from a subclass is not redirected to the override.
      fn = Reflect.get(q.slot.prototype, q.slot.key, q.self);
    } catch (error) {
      q.reject(error);
      return;
    }
    if (typeof fn !== "function") {
      q.reject(
        new TypeError(
          `${q.slot.className}.${q.slot.method} is not a function any more: the update removed it while this call was held`,
        ),
      );
      return;
    }
    const info = wrapperInfo(fn);
    try {
      if (info?.owner === this) q.resolve(this.#invoke(info.slot, info.original, q.self, q.args));
      else q.resolve(this.#invoke(q.slot, fn, q.self, q.args));
    } catch (error) {
      q.reject(error);
    }
  }
}
