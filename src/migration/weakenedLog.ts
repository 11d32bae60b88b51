/**
 * A migration log once its update's pause is over and the update is still
 * revocable: it holds the objects only as long as the program does. An
 * object the program drops meanwhile needs no restoring, and holding it
 * made every later update find it, migrate it and log it in turn — under
 * `metamorph dev`, which keeps the newest update revocable, and for a
 * release awaiting `metamorph permanent`, nothing migrated was ever
 * collected (review advZ28: 2,500 → 10,000 objects migrated an update over
 * 200 updates of a program holding 300).
 *
 * Each object gets a WeakRef (a rollback enumerates them: the program may
 * have moved one off its class's prototype, where no finder looks); what a
 * rollback restores of it that can hold other objects — a general-path
 * object's prepared migration, the old values of a compiled-path object
 * when one of them is an object — moves into WeakMaps keyed by the object,
 * so that two dropped objects holding each other in their old fields do
 * not keep each other alive. Old values that are all primitives stay in
 * the log's flat array: nothing to keep alive, nothing allocated.
 * The conversion runs after the pause (logWeakening.ts).
 */
import type { PreparedMigration } from "./instanceMigration.js";

export class WeakenedEntries {
  /** Object i, held weakly; complete once `done` is set. */
  readonly refs: WeakRef<object>[] = [];
  /**
   * A compiled-path object's old values then its computed ones, where one of
   * them is an object (their slots in the flat arrays are blanked).
   */
  readonly old = new WeakMap<object, unknown[]>();
  /** The prepared migrations of general-path objects. */
  readonly prepared = new WeakMap<object, PreparedMigration>();
  /** Set by the last slice: from then on the log reads only these. */
  done = false;

  objectAt(i: number): object | undefined {
    return this.refs[i]?.deref();
  }

  preparedAt(i: number): PreparedMigration | undefined {
    const object = this.refs[i]?.deref();
    return object === undefined ? undefined : this.prepared.get(object);
  }

  /** The old and computed values moved out of the flat arrays for `object`, if any. */
  oldAt(object: object | undefined): unknown[] | undefined {
    return object === undefined ? undefined : this.old.get(object);
  }

  /** Holds entry i weakly: at the conversion, or appended to a weakened log (a reopened lazy one). */
  add(object: object, prepared: PreparedMigration | undefined, log: Weakenable, i: number): void {
    this.refs.push(new WeakRef(object));
    if (prepared !== undefined) this.prepared.set(object, prepared);
    else moveHeldValues(log, this, object, i);
  }
}

/** What logWeakening.ts needs of a log (migrationLog.ts). */
export interface Weakenable {
  readonly objects: readonly object[];
  readonly old: unknown[];
  readonly computed: unknown[];
  readonly general: ReadonlyMap<number, PreparedMigration>;
  readonly compiled: { readonly stride: number; readonly computedCount: number };
  weak: WeakenedEntries | undefined;
  /** Drops the strong references once every entry is held weakly. */
  weakened(): void;
}

/**
 * Moves object i's old and computed values into `weak.old` if one of them
 * is an object: held in the flat arrays, it would keep alive what the
 * program dropped (an old field holding another migrated object).
 */
function moveHeldValues(log: Weakenable, weak: WeakenedEntries, object: object, i: number): void {
  const { old, computed } = log;
  const { stride, computedCount } = log.compiled;
  const o = i * stride;
  const c = i * computedCount;
  const inOld = stride > 0 && o < old.length && holdsObject(old, o, stride);
  if (
    !inOld &&
    !(computedCount > 0 && c < computed.length && holdsObject(computed, c, computedCount))
  )
    return;
  weak.old.set(object, [...old.slice(o, o + stride), ...computed.slice(c, c + computedCount)]);
  if (o < old.length) old.fill(undefined, o, o + stride);
  if (c < computed.length) computed.fill(undefined, c, c + computedCount);
}

function holdsObject(values: readonly unknown[], start: number, count: number): boolean {
  for (let k = start; k < start + count; k++) {
    const value = values[k];
    if ((typeof value === "object" && value !== null) || typeof value === "function") return true;
  }
  return false;
}
