/**
 * The values of fields an update removed, kept for the session (review advZ5
 * 4): a field line deleted by accident and saved, then restored (the
 * editor's undo) and saved again, came back from its initialiser — a
 * `count` at 41 was 0 — and the removal said nothing of the values it
 * dropped. Before an update that removes fields their values are read, per
 * object; a later update that declares such a field again in the same class
 * gives them back right after its commit, in the same task (before any of
 * the program's code runs), as the undo of a rename does (./writesSince.ts).
 * An object made since gets the initialiser's value; a `migrate` of the
 * migrations module that runs for the class in that update has the last
 * word (nothing is given back to its class). The values stay in memory while
 * their objects live. Shared by `metamorph dev` and the Vite page.
 */
import type { Constructor } from "../mop/createClass.js";
import type { Namespace } from "../namespace/namespace.js";
import type { ClassChangeSummary } from "./common.js";

/** Per removed field, its value on each object that had it. */
type Kept = Map<string, WeakMap<object, unknown>>;

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/**
 * Above this many objects a removed field's values are not kept: each is a
 * WeakMap entry held for the session, and a reload that gives them back
 * migrates every object in its commit. The default threshold of progressive
 * reloads.
 */
const KEEP_AT_MOST = 50_000;

/** By class handle (one per class of the session, whatever its namespace). */
const keptByClass = new WeakMap<Constructor, Kept>();

/** Whether an update of these summaries gives values back (it must then migrate every object in its commit). */
export function givesBack(namespace: Namespace, summaries: readonly ClassChangeSummary[]): boolean {
  return summaries.some((s) => toGiveBack(namespace, s).length > 0);
}

/** Before an update: keeps the values of the fields it removes; the notes say how many. */
export function keepRemoved(
  namespace: Namespace,
  summaries: readonly ClassChangeSummary[],
): string[] {
  const notes: string[] = [];
  for (const { className, removed } of summaries) {
    if (removed.length === 0 || !namespace.has(className)) continue;
    const handle = namespace.classNamed(className);
    const kept = keptByClass.get(handle) ?? new Map<string, WeakMap<object, unknown>>();
    keptByClass.set(handle, kept);
    const objects = namespace.allInstances(handle, { includeSubclasses: true });
    for (const field of removed) {
      const having = objects.filter((object) => Object.hasOwn(object, field));
      kept.delete(field);
      if (having.length === 0) continue;
      const values = `${className}.${field}: removed, with its values on ${plural(having.length, "object")}`;
      if (having.length > KEEP_AT_MOST) {
        notes.push(
          `${values}; too many to keep (more than ${KEEP_AT_MOST}): a later save that declares ${field} again starts it from its initialiser`,
        );
        continue;
      }
      const record = (object: object) => (object as Record<string, unknown>)[field];
      kept.set(field, new WeakMap(having.map((object) => [object, record(object)])));
      notes.push(
        `${values}; they are kept while the program runs, and come back if a later save declares ${field} in ${className} again`,
      );
    }
  }
  return notes;
}

/**
 * Right after the commit of an update: gives the fields it declares again
 * the values they had when they were removed; `migrated` names the
 * classes a migrations module's `migrate` ran for.
 */
export function giveBack(
  namespace: Namespace,
  summaries: readonly ClassChangeSummary[],
  migrated: (className: string) => boolean,
): string[] {
  const notes: string[] = [];
  for (const summary of summaries) {
    const fields = toGiveBack(namespace, summary);
    if (fields.length === 0 || migrated(summary.className)) continue;
    const handle = namespace.classNamed(summary.className);
    const kept = keptByClass.get(handle)!;
    for (const field of fields) {
      const values = kept.get(field)!;
      kept.delete(field);
      let count = 0;
      for (const object of namespace.allInstances(handle, { includeSubclasses: true })) {
        if (!values.has(object)) continue;
        (object as Record<string, unknown>)[field] = values.get(object);
        count++;
      }
      if (count > 0) {
        notes.push(
          `${summary.className}.${field}: declared again: ${plural(count, "object")} got back the value${count === 1 ? "" : "s"} it had when a save removed it`,
        );
      }
    }
  }
  return notes;
}

function toGiveBack(namespace: Namespace, summary: ClassChangeSummary): string[] {
  if (summary.added.length === 0 || !namespace.has(summary.className)) return [];
  const kept = keptByClass.get(namespace.classNamed(summary.className));
  return kept ? summary.added.filter((field) => kept.has(field)) : [];
}
