/**
 * What a failed afterCommit hook did to the shape of the objects the update
 * owns, undone before the exact rollback puts their old layout back. That
 * rollback rewrites values in place (migrationLog.ts `revertAt`) and takes
 * the plain fields the commit left for granted: an accessor a hook defined
 * over a field made it throw half done, the namespace left on the new
 * version and the error untyped; an object a hook moved to another
 * prototype was not found and kept the new layout; a field a hook made
 * read-only or hidden stayed so (review advY2). The hook ran inside the
 * commit's block, so whatever is not plain on a field was done by it.
 */
import { RollbackError } from "../errors.js";
import type { MigrationLog } from "./migrationLog.js";

type Entries = ReadonlyMap<object, { readonly log: MigrationLog; readonly index: number }>;

/** A field as the commit writes it: an own, writable, enumerable data property. */
function isPlainField(descriptor: PropertyDescriptor): boolean {
  return "value" in descriptor && descriptor.writable === true && descriptor.enumerable === true;
}

/**
 * Why one of the owned objects cannot take its old shape back (a hook
 * defined a property non-configurable, or moved a non-extensible object to
 * another prototype), or undefined. Changes nothing.
 */
export function unrestorableReshape(entries: Entries): RollbackError | undefined {
  for (const [object, { log, index }] of entries) {
    const { plan } = log;
    if (Object.getPrototypeOf(object) !== plan.prototype && !Object.isExtensible(object)) {
      return reshapeError(
        plan.className,
        object,
        "moved to another prototype and made non-extensible",
      );
    }
    // What it carried has its whole state from before: a property it had
    // non-configurable then is no hook's doing.
    const before = log.general.get(index)?.carried?.before;
    for (const key of Reflect.ownKeys(object)) {
      if (Object.getOwnPropertyDescriptor(object, key)!.configurable !== false) continue;
      const k = before?.keys.indexOf(key) ?? -1;
      if (k >= 0 && before!.descriptors[k]!.configurable === false) continue;
      return reshapeError(plan.className, object, `given a non-configurable "${String(key)}"`);
    }
  }
  return undefined;
}

function reshapeError(className: string, object: object, what: string): RollbackError {
  return new RollbackError(
    `the update cannot be rolled back: a ${className} object was ${what} after it migrated, and cannot take its old layout back; nothing was rolled back`,
    { className, object },
  );
}

/**
 * Puts every owned object back on its class's prototype and takes off the
 * fields a hook turned into accessors, read-only or hidden properties: the
 * exact revert then writes each field back as the plain field it was.
 * Objects that carried unmanaged state are left as they are: their revert
 * puts their whole captured state back, descriptors included.
 */
export function undoHookReshapes(entries: Entries): void {
  for (const [object, { log, index }] of entries) {
    const { plan } = log;
    if (Object.getPrototypeOf(object) !== plan.prototype)
      Object.setPrototypeOf(object, plan.prototype);
    if (log.general.get(index)?.carried) continue;
    // Its own string keys were plain fields before the update (any other
    // state sends an object to the general path): one that is not now is
    // the hook's, a field it reshaped or a property it hid. It goes, and
    // every key after it, last first (V8 deletes the last property in
    // place, any other by leaving fast mode); the revert writes the old
    // fields back after the ones left.
    const keys = Object.getOwnPropertyNames(object);
    const first = keys.findIndex(
      (key) => !isPlainField(Object.getOwnPropertyDescriptor(object, key)!),
    );
    if (first < 0) continue;
    for (let k = keys.length - 1; k >= first; k--)
      delete (object as Record<string, unknown>)[keys[k]!];
  }
}

/** The refusal of a rollback that would have to undo what a hook locked on an object it was handed but the update does not own. */
export function lockedByHookError(object: object): RollbackError {
  return new RollbackError(
    "the update cannot be rolled back: an object the hook was handed (ctx.instancesOf) was made non-extensible or given a non-configurable property, which nothing can undo; nothing was rolled back",
    { object },
  );
}
