/**
 * Functions metamorph itself puts over a version's method on the stable
 * prototype (the call tracker's counting wrapper, lifecycle/methodWrapping.ts;
 * a lazy update's guard, migration/lazyMigration.ts), with the method each
 * stands for. An update that replaces a method the program wrapped says so
 * (prototypeMembers.ts); metamorph's own wrappers are not the program's. Kept
 * apart from prototypeMembers.ts because the call tracker is in the Vite
 * page's first load, and that file's refusal text is not.
 */
const standIns = new WeakMap<Function, Function>();

/** Marks `wrapper` as metamorph's own, standing for `original`. */
export function markStandIn(wrapper: Function, original: Function): void {
  standIns.set(wrapper, original);
}

/**
 * `d` with metamorph's own wrappers seen as the methods they stand for, through
 * each layer: the tracker wraps a lazy update's guard, and the guard outlives
 * the update under it (the guard's removal leaves a member it no longer sees
 * in place), so that after a lazy or progressive release the prototype holds
 * wrapper → guard → the release's method.
 */
export function unwrapped(d: PropertyDescriptor | undefined): PropertyDescriptor | undefined {
  let value = d?.value as unknown;
  // Each layer was made over one that existed before it: no cycle.
  while (typeof value === "function" && standIns.has(value)) value = standIns.get(value);
  return value === d?.value ? d : { ...d, value };
}

/**
 * Probes of metamorph's own call wrapper (the call tracker's), for reading a
 * stack past it (migration/newCodeOnStack.ts): each calls `inside` from the
 * code it stands for, so that `inside`'s caller runs where that code runs.
 * Registered by the wrapper's module; the stack reader cannot import it
 * (the layers go the other way).
 */
export interface PassThrough {
  /** Calls `inside` from the wrapper installed on the prototype, as it calls its entry point. */
  readonly wrapper: (inside: () => void) => void;
  /** Calls `inside` as the entry point calls the wrapped method. */
  readonly call: (inside: () => void) => void;
}

let passThrough: PassThrough | undefined;

export function registerPassThrough(probes: PassThrough): void {
  passThrough = probes;
}

/** The registered probes, if the call tracker is loaded. */
export const passThroughProbes = (): PassThrough | undefined => passThrough;
