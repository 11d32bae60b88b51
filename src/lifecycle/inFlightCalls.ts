/**
 * The bookkeeping of calls in flight: a method's slot on its class's stable
 * prototype, one record per call awaiting its promise, and the list of those
 * calls in the order they started.
 */
import { performance } from "node:perf_hooks";
import type { Constructor } from "../mop/createClass.js";
import type { QuiescenceTarget } from "./quiescenceTargets.js";
import { targetCovers } from "./quiescenceTargets.js";

/** A description of one call, safe to keep in reports (it does not hold the receiver). */
export interface CallRecord {
  readonly id: number;
  readonly className: string;
  readonly method: string;
  /** `performance.now()` when the call's synchronous part returned its promise; NaN for a synchronous call still running. */
  readonly startedAt: number;
  /** The call returned a promise that had not settled yet (or a generator not finished yet). */
  readonly awaiting: boolean;
}

export interface MethodSlot {
  readonly handle: Constructor;
  readonly prototype: object;
  readonly key: PropertyKey;
  readonly className: string;
  readonly method: string;
  holdable: boolean;
  wrapper: Function | undefined;
}

export interface Call {
  readonly id: number;
  readonly slot: MethodSlot;
  readonly startedAt: number;
  awaiting: boolean;
  ended: boolean;
  /** Links of the in-flight list (measured: a Set costs ~0.6 µs per call when entries come and go). */
  prev: Call | undefined;
  next: Call | undefined;
}

export function newCall(id: number, slot: MethodSlot, awaiting: boolean): Call {
  return {
    id,
    slot,
    startedAt: performance.now(),
    awaiting,
    ended: false,
    prev: undefined,
    next: undefined,
  };
}

/** Calls awaiting their promise, oldest first: an intrusive doubly linked list, O(1) both ways. */
export class CallList {
  head: Call | undefined;
  tail: Call | undefined;

  add(call: Call): void {
    call.prev = this.tail;
    call.next = undefined;
    if (this.tail) this.tail.next = call;
    else this.head = call;
    this.tail = call;
  }

  delete(call: Call): void {
    if (call.prev) call.prev.next = call.next;
    else if (this.head === call) this.head = call.next;
    if (call.next) call.next.prev = call.prev;
    else if (this.tail === call) this.tail = call.prev;
    call.prev = undefined;
    call.next = undefined;
  }

  *[Symbol.iterator](): IterableIterator<Call> {
    for (let c = this.head; c !== undefined; c = c.next) yield c;
  }
}

/** Calls in flight per receiver (CallTrackerOptions.followReceiver). */
export class ReceiverCounts {
  readonly #counts = new WeakMap<object, number>();

  /** Counts a call in flight on `self`; returns what `leave` must uncount (nothing for a primitive). */
  enter(self: unknown): object | undefined {
    if (typeof self !== "object" || self === null) return undefined;
    this.#counts.set(self, (this.#counts.get(self) ?? 0) + 1);
    return self;
  }

  leave(receiver: object): void {
    const left = (this.#counts.get(receiver) ?? 1) - 1;
    if (left > 0) this.#counts.set(receiver, left);
    else this.#counts.delete(receiver);
  }

  has(self: unknown): boolean {
    return typeof self === "object" && self !== null && this.#counts.has(self);
  }
}

export function record(call: Call): CallRecord {
  return {
    id: call.id,
    className: call.slot.className,
    method: call.slot.method,
    startedAt: call.startedAt,
    awaiting: call.awaiting,
  };
}

const covers = (targets: readonly QuiescenceTarget[], slot: MethodSlot): boolean =>
  targets.some((t) => targetCovers(t, slot.handle, slot.key));

/**
 * The synchronous calls running (outermost first; an update point inside a
 * tracked method sees them, with `startedAt` NaN), then the calls awaiting
 * their end, oldest first. All, or those of the targets.
 */
export function callRecords(
  stack: readonly MethodSlot[],
  calls: CallList,
  targets?: readonly QuiescenceTarget[],
): CallRecord[] {
  const out: CallRecord[] = [];
  const wanted = (slot: MethodSlot) => targets === undefined || covers(targets, slot);
  for (const slot of stack) {
    if (wanted(slot)) {
      out.push({
        id: 0,
        className: slot.className,
        method: slot.method,
        startedAt: Number.NaN,
        awaiting: false,
      });
    }
  }
  for (const call of calls) if (wanted(call.slot)) out.push(record(call));
  return out;
}

/** Whether a call of the targets' methods is running or awaiting its end. */
export function anyCovered(
  stack: readonly MethodSlot[],
  calls: CallList,
  targets: readonly QuiescenceTarget[],
): boolean {
  for (const slot of stack) if (covers(targets, slot)) return true;
  for (const call of calls) if (covers(targets, call.slot)) return true;
  return false;
}
