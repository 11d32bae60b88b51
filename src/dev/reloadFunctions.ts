/**
 * The functions a reload changes or adds: assigned to their module
 * bindings, to the extras, and to every earlier reload's copy of them
 * (./reloader.ts commits them, and assigns the previous ones on an undo).
 */
import type { ModuleRecord } from "./moduleGraph.js";
import type { PreparedReload } from "./prepare.js";

/**
 * Each reload's code has its own copies of the extras (`let { … } =
 * extras`) and its own declarations, which the methods and functions it
 * made read: a new value must reach every one of them, not the latest only.
 */
export function inEveryScope(
  earlier: ((name: string, value: unknown) => void) | undefined,
  latest: (name: string, value: unknown) => void,
): (name: string, value: unknown) => void {
  if (earlier === undefined) return latest;
  return (name, value) => {
    earlier(name, value);
    latest(name, value);
  };
}

/**
 * Assigns a reload's changed functions (and, for an undo, the previous
 * ones): a module binding, or for a function an earlier save added, the
 * extras and every reload's copy of it (record.setExtra, set first).
 */
export function functionAssigner(record: ModuleRecord, prepared: PreparedReload) {
  const names = Object.keys(prepared.functions);
  const extra = names.filter((n) => record.extras.has(n));
  const previous: Record<string, unknown> = {};
  for (const name of names) {
    previous[name] = record.extras.has(name) ? record.extras.get(name) : record.evaluate(name);
  }
  const set = (values: Record<string, unknown>) => {
    prepared.assign(values);
    for (const name of extra) {
      record.extras.set(name, values[name]);
      record.setExtra?.(name, values[name]);
    }
  };
  return { names, previous, set };
}

/** The functions and variables a reload declares for the first time (its new classes have their own summary). */
export function declaredNames(prepared: PreparedReload, added: readonly string[]): string[] {
  const classes = new Set(prepared.summaries.filter((c) => c.added_class).map((c) => c.className));
  return added
    .filter((name) => !classes.has(name))
    .map((name) => (typeof prepared.extras[name] === "function" ? `function ${name}` : name));
}
