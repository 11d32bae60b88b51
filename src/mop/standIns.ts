/**
 * Functions metamorph itself puts over a version's method on the stable
 * prototype (the call tracker's counting wrapper, lifecycle/methodWrapping.ts),
 * with the method each stands for. An update that replaces a method the
 * program wrapped says so (prototypeMembers.ts); metamorph's own wrappers are
 * not the program's. Kept apart from prototypeMembers.ts because the call
 * tracker is in the Vite page's first load, and that file's refusal text is not.
 */
const standIns = new WeakMap<Function, Function>();

/** Marks `wrapper` as metamorph's own, standing for `original`. */
export function markStandIn(wrapper: Function, original: Function): void {
  standIns.set(wrapper, original);
}

/** `d` with metamorph's own wrappers seen as the methods they stand for. */
export function unwrapped(d: PropertyDescriptor | undefined): PropertyDescriptor | undefined {
  const original = typeof d?.value === "function" ? standIns.get(d.value as Function) : undefined;
  return original === undefined ? d : { ...d, value: original };
}
