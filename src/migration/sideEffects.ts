/**
 * What a migrator may reach (issue 12 item 16). A migrator (or a field
 * initialiser, or a split) computes one object's new state: it may read
 * anything, and write only to its `target` — the shadow copy the update
 * installs at the commit. A write anywhere else would happen before the
 * update is decided and survive a refusal.
 *
 * JavaScript cannot confine a function that reaches live objects through
 * its closure (a membrane over its arguments would not see `items[0].name =
 * …` written through a captured array), so the engine undoes instead of
 * enforcing: before the first migrator runs, it records the own fields of
 * every instance the update migrates, and the own members of the prototypes
 * and constructors of every class of the namespace (and of Object.prototype,
 * Array.prototype and Function.prototype). Once the migrators and the
 * validations have run, it compares: a difference is put back and the update
 * is refused (MigrationSideEffectError, MM_MIGRATION_SIDE_EFFECT) naming the
 * object or class and the key; if the update is refused for another reason,
 * the differences are put back before that refusal leaves. The cost is paid
 * only when some migrating class runs such code: one read of each instance's
 * fields before, one after (see BENCHMARKS.md for the eager figure). Objects
 * on the compiled path are not copied again: their record is the old values
 * their migration log saved before any user code ran (migrationLog.ts); and
 * when no program code can run between the check and the commit (no event
 * listener, no commit-step callback), their rewrite compares them as it
 * reads them (`checkAtRewrite`) instead of a pass of its own.
 *
 * Not seen: writes to objects that are neither migrated instances nor those
 * prototypes (an unrelated plain object; the containers a migrated object's
 * fields hold are no side effect, and are put back by `restore` with the
 * rest: heldContainers.ts), symbol-keyed or
 * non-enumerable own properties of instances, and migrations at first touch
 * of lazy and progressive updates (after the commit, rolled back as a whole
 * by item 2 when they fail).
 */
import { MetamorphError, MigrationSideEffectError } from "../errors.js";
import { currentVersion, stablePrototype } from "../mop/classHandle.js";
import type { Namespace } from "../namespace/namespace.js";
import { applyState } from "../mop/rewriting/applyState.js";
import type { ObjectState } from "../mop/rewriting/stateTable.js";
import { captureState } from "../mop/rewriting/stateTable.js";
import { rewriteFields } from "./instanceMigration.js";
import { restoreLoggedContainers } from "./heldContainers.js";
import type { MigrationLog } from "./migrationLog.js";
import { sameDescriptor, sameState } from "./ownState.js";
import { type ReadAt, unreadableError } from "../mop/unreadableObjects.js";

interface Holder {
  readonly holder: object;
  readonly what: string;
  readonly keys: readonly PropertyKey[];
  readonly descriptors: readonly PropertyDescriptor[];
}

export interface SideEffect {
  readonly what: string;
  readonly key: string;
  readonly object: object;
}

function holderOf(holder: object, what: string): Holder {
  const keys = Reflect.ownKeys(holder);
  return {
    holder,
    what,
    keys,
    descriptors: keys.map((k) => Reflect.getOwnPropertyDescriptor(holder, k)!),
  };
}

function holderChange(h: Holder): string | undefined {
  const now = Reflect.ownKeys(h.holder);
  if (now.length !== h.keys.length) {
    const added = now.find((k) => !h.keys.includes(k));
    if (added !== undefined) return String(added);
  }
  for (let i = 0; i < h.keys.length; i++) {
    const key = h.keys[i]!;
    if (now[i] !== key) return String(key);
    if (!sameDescriptor(Reflect.getOwnPropertyDescriptor(h.holder, key), h.descriptors[i]!))
      return String(key);
  }
  return undefined;
}

function restoreHolder(h: Holder): void {
  const now = Reflect.ownKeys(h.holder);
  let same = 0;
  while (same < now.length && same < h.keys.length && now[same] === h.keys[same]) same++;
  for (let i = same; i < now.length; i++) Reflect.deleteProperty(h.holder, now[i]!);
  h.keys.forEach((key, i) => {
    if (!sameDescriptor(Reflect.getOwnPropertyDescriptor(h.holder, key), h.descriptors[i]!))
      Object.defineProperty(h.holder, key, h.descriptors[i]!);
  });
}

/** The live state a migration must leave alone, recorded before its code runs. */
export class LiveStateWitness {
  private readonly holders: Holder[] = [];
  private readonly objects: object[] = [];
  private readonly keys: string[][] = [];
  /** Every recorded object's values, one after the other (fewer arrays for large updates). */
  private readonly values: unknown[] = [];
  /** Logs whose compiled-path objects are recorded by the logs' own old values. */
  private readonly logs: MigrationLog[] = [];
  /**
   * Objects with an own accessor among their fields, by their whole state:
   * reading a getter again may answer a new object (`get pos() { return
   * { x, y } }`), which is no write, and putting a value back through it
   * would call its setter.
   */
  private readonly states: { readonly object: object; readonly state: ObjectState }[] = [];

  constructor(namespace: Namespace) {
    for (const handle of namespace.classes()) {
      this.holders.push(holderOf(stablePrototype(handle), `${handle.name}.prototype`));
      this.holders.push(holderOf(currentVersion(handle).ctor, `class ${handle.name}`));
    }
    this.holders.push(holderOf(Object.prototype, "Object.prototype"));
    this.holders.push(holderOf(Array.prototype, "Array.prototype"));
    this.holders.push(holderOf(Function.prototype, "Function.prototype"));
  }

  /** Records `object`'s own fields (an instance on the general path). */
  private record(object: object): void {
    const record = object as Record<string, unknown>;
    const keys = Object.keys(object);
    if (keys.some((k) => Reflect.getOwnPropertyDescriptor(object, k)?.get !== undefined)) {
      this.states.push({ object, state: captureState(object) });
      return;
    }
    this.objects.push(object);
    this.keys.push(keys);
    for (let i = 0; i < keys.length; i++) this.values.push(record[keys[i]!]);
  }

  /**
   * Records the objects of `log` after its `scan`: those on the general path
   * by their fields, those on the compiled path by the old values the log
   * saved.
   */
  watch(log: MigrationLog): void {
    const { generalAt, objects } = log;
    let g = 0;
    try {
      for (; g < generalAt.length; g++) this.record(objects[generalAt[g]!]!);
    } catch (error) {
      const index = generalAt[g]!;
      const at = { className: log.plan.className, index, object: objects[index] };
      throw unreadableError(at, "reading its fields", RECORDING, error);
    }
    this.logs.push(log);
  }

  /**
   * Leaves the comparison of the compiled-path objects of every log
   * rewritten in one range to that rewrite (`MigrationLog.checkedAtRewrite`):
   * it reads their fields anyway, so this pass over every object before the
   * commit is saved. The caller guarantees that no code other than the
   * update's own runs between `refuseChanges` and the rewrite (no event
   * listener, no commit-step callback), so that whatever the rewrite finds
   * changed was written by the migration code. The commit then undoes what
   * it rewrote and refuses with `changedAt`.
   */
  checkAtRewrite(): void {
    for (const log of this.logs) {
      if (log.generalAt.length === 0) log.checkedAtRewrite = true;
    }
  }

  /**
   * The refusal for object `index` of `log`, which its checked rewrite found
   * changed; call `restore` once what the commit rewrote is undone.
   */
  changedAt(patch: string, log: MigrationLog, index: number): MigrationSideEffectError {
    const { objects, old, compiled } = log;
    const object = objects[index]!;
    let change: SideEffect | undefined;
    try {
      change = fieldChange(object, compiled.oldLayout, old, index * compiled.stride);
    } catch {
      // Its rewrite read it changed: which field, a Proxy's trap no longer tells.
    }
    return refusal(patch, change ?? { what: instanceName(object), key: "", object });
  }

  /**
   * The first write since the record was made, if any. An object whose
   * read throws now (a Proxy's trap) is refused by name: the caller puts
   * back what it can and the update is refused (unreadableObjects.ts).
   */
  firstChange(): SideEffect | undefined {
    const at: Reading = { object: undefined, log: undefined };
    try {
      return this.changeSince(at);
    } catch (error) {
      if (error instanceof MetamorphError) throw error;
      const { object, log } = at;
      const where = object ? this.locate(object) : { className: log?.plan.className };
      throw unreadableError({ ...where, object }, "reading its fields", COMPARING, error);
    }
  }

  /** Where `object` is in the logs watched. */
  private locate(object: object): ReadAt {
    for (const log of this.logs) {
      const index = log.objects.indexOf(object);
      if (index >= 0) return { className: log.plan.className, index };
    }
    return {};
  }

  private changeSince(at: Reading): SideEffect | undefined {
    for (const h of this.holders) {
      const key = holderChange(h);
      if (key !== undefined) return { what: h.what, key, object: h.holder };
    }
    let v = 0;
    for (let o = 0; o < this.objects.length; o++) {
      const keys = this.keys[o]!;
      at.object = this.objects[o]!;
      const change = fieldChange(at.object, keys, this.values, v);
      if (change) return change;
      v += keys.length;
    }
    for (const { object, state } of this.states) {
      at.object = object;
      const now = captureState(object);
      if (sameState(now, state)) continue;
      const k = state.keys.findIndex(
        (key, i) =>
          now.keys[i] !== key || !sameDescriptor(now.descriptors[i], state.descriptors[i]!),
      );
      return {
        what: instanceName(object),
        key: String(state.keys[k] ?? now.keys[state.keys.length] ?? ""),
        object,
      };
    }
    at.object = undefined;
    for (const log of this.logs) {
      if (log.checkedAtRewrite) continue;
      at.log = log;
      const { objects, old, generalAt, compiled } = log;
      const { oldLayout, stride } = compiled;
      for (let i = compiled.firstChanged(objects, old, generalAt, 0); i >= 0; ) {
        at.object = objects[i]!;
        const change = fieldChange(at.object, oldLayout, old, i * stride);
        if (change) return change;
        at.object = undefined;
        i = compiled.firstChanged(objects, old, generalAt, i + 1);
      }
    }
    return undefined;
  }

  /** Puts back everything recorded, and what the migrated objects' containers held (heldContainers.ts). */
  restore(): void {
    restoreLoggedContainers(this.logs);
    for (const h of this.holders) {
      if (holderChange(h) !== undefined) restoreHolder(h);
    }
    let v = 0;
    for (let o = 0; o < this.objects.length; o++) {
      const keys = this.keys[o]!;
      restoreFields(this.objects[o]!, keys, this.values, v);
      v += keys.length;
    }
    for (const { object, state } of this.states)
      if (!sameState(captureState(object), state)) applyState(object, state);
    for (const log of this.logs) {
      const { objects, old, generalAt, compiled } = log;
      const { oldLayout, stride } = compiled;
      for (let i = compiled.firstChanged(objects, old, generalAt, 0); i >= 0; ) {
        restoreFields(objects[i]!, oldLayout, old, i * stride);
        i = compiled.firstChanged(objects, old, generalAt, i + 1);
      }
    }
  }

  /**
   * After the migrators and validations: a write they made is put back and
   * the update refused, before anything of it is installed.
   */
  refuseChanges(patch: string): void {
    const change = this.firstChange();
    if (!change) return;
    this.restore();
    throw refusal(patch, change);
  }
}

const RECORDING = "recording them for the side-effect check";
const COMPARING = "comparing them with their record, after the migration code ran";

/** The object firstChange was reading, and the log whose objects it was going through. */
interface Reading {
  object: object | undefined;
  log: MigrationLog | undefined;
}

function refusal(patch: string, change: SideEffect): MigrationSideEffectError {
  return new MigrationSideEffectError(
    `update ${patch} was refused: its migration code wrote to ${change.what} (property "${change.key}"), not to the object it migrates; a migrator may write only to its target. The write was undone`,
    { patch, target: change.what, key: change.key, object: change.object },
  );
}

/** The first difference between `object`'s own fields and `keys` with values at `values[base…]`. */
function fieldChange(
  object: object,
  keys: readonly string[],
  values: readonly unknown[],
  base: number,
): SideEffect | undefined {
  const record = object as Record<string, unknown>;
  const now = Object.keys(object);
  if (now.length === keys.length) {
    let i = 0;
    while (i < keys.length && now[i] === keys[i] && Object.is(record[keys[i]!], values[base + i]))
      i++;
    if (i === keys.length) return undefined;
    return { what: instanceName(object), key: keys[i]!, object };
  }
  const key = now.find((k) => !keys.includes(k)) ?? keys.find((k) => !now.includes(k));
  return { what: instanceName(object), key: key ?? "", object };
}

function instanceName(object: object): string {
  try {
    return `a ${object.constructor?.name ?? "live"} instance`;
  } catch {
    return "a live instance"; // a Proxy whose trap throws
  }
}

function restoreFields(
  object: object,
  keys: readonly string[],
  values: readonly unknown[],
  base: number,
): void {
  if (!fieldChange(object, keys, values, base)) return;
  rewriteFields(object, Object.keys(object), keys, values.slice(base, base + keys.length));
}
