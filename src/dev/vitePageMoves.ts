/**
 * A class moved to a module of its own (review advY5 H4): the editor saves
 * `todo.ts` with `class Todo`, then `models.ts` without it and importing it.
 * Vite evaluates the new `todo.ts` first (an import of the new
 * `models.ts`), while `models.ts`'s running version still holds the managed
 * `Todo`: the new class was left unmanaged — for good, every later edit of
 * it warned again — and the old one reported removed, its objects on the
 * old code. Such a class is set aside here; when the module that held the
 * name finishes its evaluation without it, the class has moved: the old
 * handle takes the new class as its next implementation (its objects
 * migrate), the new module's binding becomes that handle, and the name
 * belongs to the new module from then on. A name nothing takes over by then
 * is a second class of the same name, left unmanaged with a warning.
 */
import type { Constructor } from "../mop/createClass.js";

/** A class whose name another module's running version manages, waiting to see whether it moved. */
interface Arrival {
  readonly path: string;
  readonly cls: Function;
  /** Assigns the arriving module's binding of the class. */
  readonly bind: (value: Function) => void;
  /** Makes the name the arriving module's (its record's classes). */
  readonly adopt: (handle: Constructor) => void;
  taken: boolean;
}

const arrivals = new Map<string, Arrival>();

/**
 * Sets aside a class named like one another module manages; `warn` runs
 * once the evaluations of this update are over if no module gave the name up.
 */
export function arriving(name: string, arrival: Omit<Arrival, "taken">, warn: () => void): void {
  const entry: Arrival = { ...arrival, taken: false };
  arrivals.set(name, entry);
  // The modules of one hot update are evaluated in one job (no top-level await).
  queueMicrotask(() => {
    if (arrivals.get(name) === entry) arrivals.delete(name);
    if (!entry.taken) warn();
  });
}

/**
 * The class that moved to another module, when a module's evaluation no
 * longer defines `name`: its handle now has that module's binding; returns
 * the new implementation to apply, and where it moved.
 */
function moved(
  name: string,
  handle: Constructor,
): { readonly implementation: Function; readonly to: string } | undefined {
  const arrival = arrivals.get(name);
  if (arrival === undefined) return undefined;
  arrivals.delete(name);
  arrival.taken = true;
  arrival.bind(handle);
  arrival.adopt(handle);
  return { implementation: arrival.cls, to: arrival.path };
}

/**
 * The classes of `classes` (a module's, by name) that its new evaluation no
 * longer defines and another module took over: taken out of `classes`, as
 * the edits that give their handles the new implementations.
 */
export function movedAway(
  path: string,
  classes: Map<string, Constructor>,
  defined: ReadonlySet<string>,
): { name: string; handle: Constructor; implementation: Function; hazards: [] }[] {
  const out: { name: string; handle: Constructor; implementation: Function; hazards: [] }[] = [];
  for (const [name, handle] of [...classes]) {
    const move = defined.has(name) ? undefined : moved(name, handle);
    if (move === undefined) continue;
    classes.delete(name);
    out.push({ name, handle, implementation: move.implementation, hazards: [] });
    console.info(`[metamorph] ${path}: class ${name} moved to ${move.to}`);
  }
  return out;
}
