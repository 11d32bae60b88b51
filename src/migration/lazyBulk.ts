/**
 * `completeMigration()` of one class in bulk: the pending objects are read
 * once from the registry's list and rewritten by the plan's
 * compiled loops, as an eager update's commit does (compiledMigration.ts:
 * one pass saving old values and checking layouts, one generated loop
 * rewriting), instead of one first-touch migration per object — the
 * per-object path's calls, checks and map lookups cost about as much as the
 * rewrite itself.
 *
 * Only for plans where nothing of the program can run inside the loops (no
 * initialiser, split, migrator or validation; no accessor on the prototype
 * chain named like a field), and whose new layout differs from the old one:
 * an object on the new layout was then migrated (listed twice,
 * `finder.record`, or by a guard meanwhile), unless it is an old one the
 * program gave that layout (it deleted a field the new version drops).
 * The loop rewrites neither; the caller tells them apart once it is done,
 * by the pass's own log and its marks (lazyCompletion.ts
 * `leftOnNewLayout`), so no set of what it did costs every object. Every
 * other plan takes the per-object path (lazyCompletion.ts).
 */
import { MetamorphError, UnswappableObjectError } from "../errors.js";
import { getPrototypeOf, isNotInstance, onMixinOf } from "../mop/instances/finder.js";
import { shadowCopiesMarked } from "../mop/instances/shadowCopies.js";
import { unreadableError } from "../mop/unreadableObjects.js";
import { isRevokedProxy } from "../valueKinds.js";
import type { Plan } from "./migrationPlan.js";
import { MigrationLog } from "./migrationLog.js";
import { refuseHiddenStateOf } from "./proxies.js";

/** Whether completing `plan` can take the bulk pass (see the module comment). */
export function bulkEligible(plan: Plan): boolean {
  const { compiled, fields } = plan;
  if (!compiled.fast || compiled.runsUserCode || plan.needsOldView || plan.needsCopy) {
    return false;
  }
  if (sameKeys(compiled.oldLayout, fields as readonly string[])) return false;
  const names = new Set<PropertyKey>([...compiled.oldLayout, ...fields]);
  for (let p: object | null = plan.prototype; p !== null; p = getPrototypeOf(p) as object | null) {
    for (const key of Reflect.ownKeys(p)) {
      if (!names.has(key)) continue;
      const d = Reflect.getOwnPropertyDescriptor(p, key)!;
      if (d.get || d.set) return false;
    }
  }
  return true;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/** Whether `object`'s own enumerable keys are `plan`'s new layout, in order: it was migrated. */
export function onNewLayout(object: object, plan: Plan): boolean {
  return sameKeys(Object.keys(object), plan.fields as readonly string[]);
}

/**
 * The objects of `refs` still pending on `prototype`, in order: on it, not
 * `migrated`, neither a prototype nor a shadow copy (the checks of the
 * registry's find).
 */
export function pendingIn(
  refs: readonly WeakRef<object>[],
  prototype: object,
  migrated: (object: object) => boolean,
  /** Receives the objects a per-object mixin puts above `prototype` (finder.ts `perObjectHome`): none migrates in bulk. */
  strays?: object[],
): object[] {
  // Written by index and cut at the end: growing by push copies the list at each doubling.
  const pending: object[] = new Array(refs.length);
  let count = 0;
  const copies = shadowCopiesMarked();
  // A revoked Proxy the registry still lists throws on every read: a dead
  // object, passed over (one guard around the loop, resumed after it). A
  // read of another that throws is refused (../mop/unreadableObjects.ts).
  for (let i = 0; i < refs.length; i++) {
    try {
      for (; i < refs.length; i++) {
        const object = refs[i]!.deref();
        if (
          object !== undefined &&
          getPrototypeOf(object) === prototype &&
          !migrated(object) &&
          !isNotInstance(object, copies)
        ) {
          pending[count++] = object;
        } else if (
          strays !== undefined &&
          object !== undefined &&
          getPrototypeOf(object) !== prototype &&
          onMixinOf(object, prototype) &&
          !migrated(object)
        ) {
          strays.push(object);
        }
      }
    } catch (error) {
      const object = refs[i]!.deref();
      if (object !== undefined && isRevokedProxy(object)) continue;
      // A trap that threw (not the program's error, out of the call that looked).
      if (error instanceof MetamorphError) throw error;
      throw unreadableError({ object }, "a read of it", "looking for the pending objects", error);
    }
  }
  pending.length = count;
  return pending;
}

/** A bulk pass that failed: `object` could not be migrated; nothing of the pass is left applied. */
export class BulkFailure {
  constructor(
    readonly object: object,
    readonly error: unknown,
  ) {}
}

export interface BulkResult {
  /** The objects migrated, with their old values (for a rollback). */
  readonly log: MigrationLog;
  /** Objects not on the old layout (extra or missing own properties): for the per-object path. */
  readonly others: object[];
  /**
   * Objects already on the new layout: migrated (listed twice, or by a
   * guard meanwhile), or old ones the program gave that layout (a dropped
   * field it deleted), which only the caller can tell apart (its marks).
   */
  readonly onNew: object[];
}

/**
 * Migrates `objects` (pending, on `plan`'s prototype, possibly listed twice)
 * in bulk, one object after another: its layout checked and its old values
 * saved (`readOld`), then rewritten (`apply`, which saves them again as it
 * reads them: a getter answering anew keeps what the rewrite read), so that
 * each object is read while it is in the cache and no second pass walks
 * the list. An object on the new layout is left to the caller (`onNew`):
 * migrated already (listed twice, or by a guard meanwhile), or an old one
 * that lost a dropped field; any other object not on the old layout (state
 * of its own) is left to the per-object path. Throws BulkFailure, with
 * every object it had rewritten put back, when one cannot be migrated.
 */
export function migrateInBulk(plan: Plan, objects: object[]): BulkResult {
  const { compiled } = plan;
  const { stride } = compiled;
  const old: unknown[] = new Array(objects.length * stride);
  const others: object[] = [];
  const onNew: object[] = [];
  const none: unknown[] = [];
  // Rewritten objects are compacted to the front of `objects` (they are the log's).
  let done = 0;
  let i = 0;
  try {
    for (; i < objects.length; i++) {
      const object = objects[i]!;
      refuseHiddenStateOf(plan, object, i);
      if (!Object.isExtensible(object)) {
        throw new UnswappableObjectError(
          `${plan.className} instance is not extensible (frozen, sealed or preventExtensions) and cannot be migrated in place`,
          { className: plan.className, object },
        );
      }
      const at = done * stride;
      if (!compiled.readOld(object, old, at)) {
        (onNewLayout(object, plan) ? onNew : others).push(object);
        continue;
      }
      objects[done++] = object;
      compiled.apply(object, old, at, none, 0);
    }
  } catch (error) {
    const failed = objects[i]!;
    const log = logOf(plan, objects, old, done);
    try {
      // The last one, if it is the object that threw: untouched if a getter
      // of its threw (then its getter may throw again), partly rewritten if
      // a delete did.
      if (log.length > 0) log.revertAt(log.length - 1);
    } catch {
      // It is as the throw left it: nothing written, or nothing more can be.
    }
    for (let k = log.length - 2; k >= 0; k--) log.revertAt(k);
    throw new BulkFailure(failed, error);
  }
  return { log: logOf(plan, objects, old, done), others, onNew };
}

/** The log of the first `count` of `objects`, with their old values. */
function logOf(plan: Plan, objects: object[], old: unknown[], count: number): MigrationLog {
  objects.length = count;
  old.length = count * plan.compiled.stride;
  const log = new MigrationLog(plan, plan.compiled);
  log.objects = objects;
  log.old = old;
  return log;
}
