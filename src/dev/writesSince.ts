/**
 * Settling an update after the fact (issue 15, item 8). When a migrations
 * module is saved right after an update that warned (a rename taken for
 * removed + added), the update is undone and applied again with the new
 * hints. The undo cannot keep what the program wrote since to the fields the
 * update added — the old version has no such fields — so they are read
 * before the undo and written back after the new application:
 *
 * - a field still holding the value the update gave it was not written
 *   since: the new application's value stands (the renamed old value);
 * - a number (or bigint) that changed is replayed as a change: the new value
 *   plus what the program added since (a counter at 65 renamed, counted 8
 *   more under the new name: 73);
 * - any other value that changed is kept as written, and so is every value
 *   of an object created since the update.
 *
 * "Changed" is identity (`Object.is`): an object or array mutated in place
 * is the same value, so the new application's value stands for it.
 */
import type { Constructor } from "../mop/createClass.js";
import type { Namespace } from "../namespace/namespace.js";

/** The fields an update added, and the values it gave them (captured right after its commit). */
export interface AddedFields {
  readonly className: string;
  readonly handle: Constructor;
  readonly fields: readonly string[];
  readonly given: WeakMap<object, readonly unknown[]>;
}

/** A field written since the update: what the update gave it, what it holds now. */
interface Written {
  readonly className: string;
  readonly field: string;
  readonly given: unknown;
  readonly current: unknown;
}

/** Values written since an update, to put back once it is applied again. */
export type WritesSince = Map<object, Written[]>;

/** Right after a commit: the values the update gave the fields it added, per object. */
export function captureAdded(
  namespace: Namespace,
  classes: readonly { className: string; handle: Constructor; fields: readonly string[] }[],
): AddedFields[] {
  return classes.map(({ className, handle, fields }) => {
    const given = new WeakMap<object, readonly unknown[]>();
    for (const object of namespace.allInstances(handle, { includeSubclasses: true })) {
      const record = object as Record<string, unknown>;
      given.set(
        object,
        fields.map((f) => record[f]),
      );
    }
    return { className, handle, fields, given };
  });
}

/** Before the undo: every added field whose value is no longer the one the update gave it. */
export function readWritesSince(namespace: Namespace, added: readonly AddedFields[]): WritesSince {
  const writes: WritesSince = new Map();
  for (const { className, handle, fields, given } of added) {
    for (const object of namespace.allInstances(handle, { includeSubclasses: true })) {
      // Created since the update: nothing was moved into it, all it holds was written.
      const before = given.get(object);
      const record = object as Record<string, unknown>;
      fields.forEach((field, i) => {
        const current = record[field];
        if (before !== undefined && Object.is(current, before[i])) return;
        const list = writes.get(object) ?? [];
        list.push({ className, field, given: before?.[i], current });
        writes.set(object, list);
      });
    }
  }
  return writes;
}

function replayed(applied: unknown, given: unknown, current: unknown): unknown {
  if (typeof applied === "number" && typeof given === "number" && typeof current === "number") {
    return applied + (current - given);
  }
  if (typeof applied === "bigint" && typeof given === "bigint" && typeof current === "bigint") {
    return applied + (current - given);
  }
  return current;
}

/**
 * Right after the new application's commit (in the same task): puts the
 * writes back on the fields the new version still has. Returns one note per
 * field, naming how many objects kept their writes.
 */
export function restoreWritesSince(writes: WritesSince): string[] {
  const counts = new Map<string, number>();
  for (const [object, list] of writes) {
    const record = object as Record<string, unknown>;
    for (const { className, field, given, current } of list) {
      if (!Object.hasOwn(record, field)) continue; // the new version has no such field
      record[field] = replayed(record[field], given, current);
      const key = `${className}.${field}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].map(
    ([key, n]) =>
      `${key}: kept the value${n === 1 ? "" : "s"} written since the undone update on ${n} object${n === 1 ? "" : "s"} (numbers: the change since is added to the value the update gives now)`,
  );
}
