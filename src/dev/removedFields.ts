/**
 * The values of fields an update removed, kept for the session (review advZ5
 * 4): a field line deleted by accident and saved, then restored (the
 * editor's undo) and saved again, came back from its initialiser — a
 * `count` at 41 was 0 — and the removal said nothing of the values it
 * dropped. Before an update that removes fields their values are read, per
 * object; a later update that declares such a field again in the same class
 * (or in an ancestor: a field moved up in two saves) gives them back right
 * after its commit, in the same task (before any of
 * the program's code runs), as the undo of a rename does (./writesSince.ts).
 * An object made since gets the initialiser's value; a `migrate` of the
 * migrations module that runs for the class in that update has the last
 * word (nothing is given back to its class). A field moved up into an
 * ancestor by the update itself is neither removed nor kept: its values stay
 * on the objects. The values stay in memory while
 * their objects live. Shared by `metamorph dev` and the Vite page.
 */
import { currentVersion } from "../mop/classHandle.js";
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
/** The handles keptByClass has values for (class handles live for the session anyway). */
const keeping = new Set<Constructor>();

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
    keeping.add(handle);
    const objects = namespace.allInstances(handle, { includeSubclasses: true });
    for (const field of removed) {
      const having = objects.filter((object) => Object.hasOwn(object, field));
      kept.delete(field);
      if (having.length === 0) continue;
      const above = declaredAbove(namespace, summaries, className, field);
      if (above !== undefined) {
        notes.push(
          `${className}.${field}: moved up to ${above}: ${plural(having.length, "object")} ${having.length === 1 ? "keeps its value" : "keep their values"}`,
        );
        continue;
      }
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
    for (const { className, handle, fields } of toGiveBack(namespace, summary)) {
      if (migrated(summary.className) || migrated(className)) continue;
      const kept = keptByClass.get(handle)!;
      const where = className === summary.className ? "" : `, in ${summary.className}`;
      for (const field of fields) {
        const values = kept.get(field);
        kept.delete(field);
        let count = 0;
        for (const object of namespace.allInstances(handle, { includeSubclasses: true })) {
          if (!values?.has(object)) continue;
          (object as Record<string, unknown>)[field] = values.get(object);
          count++;
        }
        if (count > 0) {
          notes.push(
            `${className}.${field}: declared again${where}: ${plural(count, "object")} got back the value${count === 1 ? "" : "s"} it had when a save removed it`,
          );
        }
      }
    }
  }
  return notes;
}

/** A class whose removed fields' values are kept, and those of them an update declares again. */
interface GivenBack {
  readonly className: string;
  readonly handle: Constructor;
  readonly fields: readonly string[];
}

/**
 * The kept fields an update declares again: in the class a save removed
 * them from, or in one of its ancestors — a field moved up in two saves,
 * the subclass's first (review advZ26), whose values came back from the
 * superclass's initialiser.
 */
function toGiveBack(namespace: Namespace, summary: ClassChangeSummary): GivenBack[] {
  if (summary.added.length === 0 || !namespace.has(summary.className)) return [];
  const found: GivenBack[] = [];
  for (const handle of keeping) {
    const kept = keptByClass.get(handle);
    const className = currentVersion(handle).definition.name;
    if (kept === undefined || !namespace.has(className)) continue;
    if (namespace.classNamed(className) !== handle) continue; // another namespace's (a page reloaded)
    if (!descends(namespace, className, summary.className)) continue;
    const fields = summary.added.filter((field) => kept.has(field));
    if (fields.length > 0) found.push({ className, handle, fields });
  }
  return found;
}

/** Whether `name` is `ancestor` or one of its subclasses (as they run). */
function descends(namespace: Namespace, name: string, ancestor: string): boolean {
  const seen = new Set<string>();
  for (let a: string | null = name; a !== null && !seen.has(a); ) {
    if (a === ancestor) return true;
    seen.add(a);
    a = namespace.has(a) ? currentVersion(namespace.classNamed(a)).definition.superclass : null;
  }
  return false;
}

/**
 * The ancestor of `className` that declares `field` once the update is
 * applied, if any: the field moved up (review advZ26), its values stay on
 * the objects (one property, the superclass's), so none is removed nor kept
 * — a later save declaring it in the subclass again must not put back the
 * values of before the move. The ancestors as the update leaves them: its
 * own summaries (an `extends` changed, a field added or removed in the same
 * save), otherwise the running definitions (a superclass saved before).
 */
function declaredAbove(
  namespace: Namespace,
  summaries: readonly ClassChangeSummary[],
  className: string,
  field: string,
): string | undefined {
  const byName = new Map(summaries.map((s) => [s.className, s] as const));
  const running = (name: string) =>
    namespace.has(name) ? currentVersion(namespace.classNamed(name)).definition : undefined;
  const superOf = (name: string) => {
    const changed = byName.get(name)?.superclass;
    return changed ? changed[1] : running(name)?.superclass;
  };
  const seen = new Set<string>([className]);
  for (let a = superOf(className); a && !seen.has(a); a = superOf(a)) {
    seen.add(a);
    const s = byName.get(a);
    if (s?.added.includes(field)) return a;
    const gone =
      s !== undefined && (s.removed.includes(field) || s.renamed.some(([from]) => from === field));
    if (!gone && running(a)?.fields.some((f) => f.name === field)) return a;
  }
  return undefined;
}
