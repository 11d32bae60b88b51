/**
 * A second run (targetReplay.ts) acts on the live object, inside the
 * commit (eager) or at a first touch (lazy, progressive): anything after it
 * may still fail, and the object must then go back exactly as it was. A
 * migrator that freezes, seals or prevents extensions of its target
 * (`Object.freeze(target)` passes the target to a call, so it runs again)
 * made that impossible — a non-extensible object cannot be made extensible
 * again — and left objects frozen, with the new fields, under the old
 * class; a lazy update so migrated could never be rolled back. Found after
 * the run it is too late, so these calls are refused while they are made:
 * for the duration of the second runs, `Object.freeze`, `Object.seal`,
 * `Object.preventExtensions` and `Reflect.preventExtensions` throw when
 * given a target being run on, and leave every other object to the real
 * ones. Migrators run synchronously (asynchronous ones are refused), so no
 * other code sees the wrappers. A migrator that reached the real functions
 * another way (kept from before, another realm's) is still caught after
 * the run; its object cannot be undone, and the refusal says so.
 *
 * A property made non-configurable (`Object.defineProperty(target, k, {
 * configurable: false })`) is not seen here: the undo then fails on it
 * and says so (undoFailures), as it does for any program write.
 */
import { MigrationError } from "../errors.js";

/** What a refusal names. */
export interface Guarded {
  readonly className: string;
  readonly migrator: () => string;
}

type Lock = (object: unknown) => unknown;

const LOCKS: readonly (readonly [holder: object, key: string, how: string])[] = [
  [Object, "freeze", "Object.freeze"],
  [Object, "seal", "Object.seal"],
  [Object, "preventExtensions", "Object.preventExtensions"],
  [Reflect, "preventExtensions", "Reflect.preventExtensions"],
];

/** Targets being run on now (nested second runs each add theirs), and the first refusal each met. */
const guarded = new Map<object, { readonly who: Guarded; refusal: MigrationError | null }>();
let originals: Lock[] | null = null;

/** The refusal of `how` (`Object.freeze`, …) applied to `object` by its second run. */
export function lockRefusal(object: object, who: Guarded, how: string): MigrationError {
  const migrator = who.migrator();
  return new MigrationError(
    `migrator ${migrator} of a ${who.className} instance makes its target ${how}; it can hold its target beyond its run, so it runs again on the object itself, which, so locked, could not be put back as it was if the update were undone or rolled back: the update is refused (freeze objects in an afterCommit hook, or in the new version's methods)`,
    { className: who.className, migrator, object, change: how },
  );
}

function wrapped(original: Lock, how: string): Lock {
  return function (this: unknown, object: unknown): unknown {
    const entry = typeof object === "object" && object !== null ? guarded.get(object) : undefined;
    if (entry !== undefined) {
      entry.refusal ??= lockRefusal(object as object, entry.who, `locked (${how})`);
      throw entry.refusal;
    }
    return Reflect.apply(original, this, [object]);
  };
}

/** Puts the wrappers in place; false where the realm's functions cannot be replaced (frozen intrinsics). */
function install(): boolean {
  const kept = LOCKS.map(([holder, key]) => Reflect.get(holder, key) as Lock);
  const set = LOCKS.map(([holder, key, how], i) =>
    Reflect.set(holder, key, wrapped(kept[i]!, how)),
  );
  if (set.every(Boolean)) {
    originals = kept;
    return true;
  }
  restore(kept);
  return false;
}

function restore(kept: readonly Lock[]): void {
  LOCKS.forEach(([holder, key], i) => {
    Reflect.set(holder, key, kept[i]);
  });
}

/**
 * Runs `run` (an object's second run) with `object` guarded: a call that
 * would lock it throws its refusal, which is thrown again after the run
 * even if the migrator caught it.
 */
export function whileGuarded(object: object, who: Guarded, run: () => void): void {
  const outermost = originals === null;
  if (outermost && !install()) {
    run();
    return;
  }
  const entry: { readonly who: Guarded; refusal: MigrationError | null } = { who, refusal: null };
  const outer = guarded.get(object);
  guarded.set(object, entry);
  try {
    run();
  } finally {
    if (outer === undefined) guarded.delete(object);
    else guarded.set(object, outer);
    if (outermost) {
      restore(originals!);
      originals = null;
    }
  }
  if (entry.refusal !== null) throw entry.refusal;
}
