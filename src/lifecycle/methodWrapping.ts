/**
 * Installing call-counting wrappers on a class's stable prototype, and
 * taking them off. Each wrapper closes over the function it wrapped, and is
 * recorded with its owner (a call tracker), so that a wrapper an undo log
 * restores is recognised and adopted instead of being wrapped again.
 */
import { stablePrototype } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import { markStandIn, registerPassThrough } from "../mop/standIns.js";
import type { MethodSlot } from "./inFlightCalls.js";
import { keyName } from "./quiescenceTargets.js";

export interface TrackOptions {
  /** Track only these methods (default: every instance method of the class, including ones a later version adds). */
  readonly methods?: readonly PropertyKey[];
  /**
   * Methods that are not `async` but always return a promise, so that
   * forced quiescence may hold them (their callers then get another promise
   * for the same result).
   */
  readonly holdable?: readonly PropertyKey[];
}

export interface TrackedClass {
  readonly handle: Constructor;
  readonly options: TrackOptions;
  readonly slots: Map<PropertyKey, MethodSlot>;
  /** Tracked because this tracked superclass is (subclasses.ts): it follows that class's tracking and options. */
  readonly coveredBy?: Constructor;
}

export interface WrapperInfo {
  /** The tracker that installed the wrapper. */
  readonly owner: object;
  readonly slot: MethodSlot;
  readonly original: Function;
}

/** What a wrapper does with a call: the owner's entry point. */
export type Enter = (
  slot: MethodSlot,
  original: Function,
  self: unknown,
  args: unknown[],
) => unknown;

/** Every wrapper any tracker installed, so that a restored one is recognised. */
const wrappers = new WeakMap<Function, WrapperInfo>();

const AsyncFunction = (async () => {}).constructor;

function isAsync(fn: Function): boolean {
  return fn instanceof AsyncFunction;
}

/** The wrapper's record, when `fn` is a wrapper some tracker installed. */
export function wrapperInfo(fn: Function): WrapperInfo | undefined {
  return wrappers.get(fn);
}

/**
 * Calls the method a wrapper wraps: the entry point's one way to, so that a
 * stack read past the tracker knows where its frames end (below).
 */
export function callWrapped(fn: Function, self: unknown, args: unknown[]): unknown {
  return Reflect.apply(fn, self, args);
}

function wrapperFunction(slot: MethodSlot, original: Function, enter: Enter): Function {
  return function (this: unknown, ...args: unknown[]): unknown {
    return enter(slot, original, this, args);
  };
}

// A wrapper's frame is named as its method, with the method's receiver: a
// lazy update's failing first touch read it as the method running
// (migration/newCodeOnStack.ts) and abandoned a call no new code was under.
// Its frames, from the wrapper down to the call of the wrapped method, are
// left out by where they run, which these probes show.
registerPassThrough({
  wrapper: (inside) => {
    wrapperFunction(undefined as unknown as MethodSlot, inside, inside)();
  },
  call: (inside) => {
    callWrapped(inside, undefined, []);
  },
});

function makeWrapper(owner: object, slot: MethodSlot, original: Function, enter: Enter): Function {
  const wrapper = wrapperFunction(slot, original, enter);
  Object.defineProperty(wrapper, "name", { value: original.name, configurable: true });
  Object.defineProperty(wrapper, "length", { value: original.length, configurable: true });
  wrappers.set(wrapper, { owner, slot, original });
  markStandIn(wrapper, original);
  return wrapper;
}

function slotFor(tracked: TrackedClass, prototype: object, key: PropertyKey): MethodSlot {
  let slot = tracked.slots.get(key);
  if (!slot) {
    slot = {
      handle: tracked.handle,
      prototype,
      key,
      className: tracked.handle.name,
      method: keyName(key),
      holdable: false,
      wrapper: undefined,
    };
    tracked.slots.set(key, slot);
  }
  return slot;
}

/**
 * Wraps every method of the class whose installed function is not one of
 * `owner`'s wrappers. Returns the methods it wrapped anew.
 */
export function wrapClass(owner: object, tracked: TrackedClass, enter: Enter): string[] {
  const prototype = stablePrototype(tracked.handle);
  const only = tracked.options.methods;
  const holdable = new Set(tracked.options.holdable ?? []);
  const wrapped: string[] = [];
  for (const key of Reflect.ownKeys(prototype)) {
    if (key === "constructor" || (only !== undefined && !only.includes(key))) continue;
    const d = Reflect.getOwnPropertyDescriptor(prototype, key)!;
    if (!("value" in d) || typeof d.value !== "function") continue;
    const slot = slotFor(tracked, prototype, key);
    const info = wrappers.get(d.value);
    if (info?.owner === owner && info.slot === slot) {
      // Ours already (perhaps restored by an undo log): adopt it as is.
      slot.wrapper = d.value;
      slot.holdable = holdable.has(key) || isAsync(info.original);
      continue;
    }
    // A wrapper of this owner from an earlier tracking of the class is replaced, not wrapped again.
    const original = info?.owner === owner ? info.original : (d.value as Function);
    const wrapper = makeWrapper(owner, slot, original, enter);
    Object.defineProperty(prototype, key, { ...d, value: wrapper });
    slot.wrapper = wrapper;
    slot.holdable = holdable.has(key) || isAsync(original);
    wrapped.push(`${slot.className}.${slot.method}`);
  }
  return wrapped;
}

/** Puts the unwrapped functions back where a wrapper of `owner` is still the installed method. */
export function unwrapClass(owner: object, tracked: TrackedClass): void {
  for (const slot of tracked.slots.values()) {
    const d = Reflect.getOwnPropertyDescriptor(slot.prototype, slot.key);
    const info =
      d && "value" in d && typeof d.value === "function" ? wrappers.get(d.value) : undefined;
    if (d && info?.owner === owner)
      Object.defineProperty(slot.prototype, slot.key, { ...d, value: info.original });
    slot.wrapper = undefined;
  }
}
