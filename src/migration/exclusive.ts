/**
 * One update at a time per namespace: while an update runs — its phases, its
 * health check, a lazy object's migration — a second one on the same
 * namespace (started from a migrator, a validation, a listener or the health
 * check) is refused with nothing changed, instead of committing underneath
 * the first.
 */
import type { Namespace } from "../namespace/namespace.js";
import { NestedUpdateError } from "./errors.js";

const busy = new WeakMap<Namespace, string>();

/**
 * What a lazy update of the namespace is migrating right now, if anything:
 * a first touch's compiled path marks nothing busy (a closure per touch),
 * yet an own getter it reads may start an update.
 */
const migratingNow = new WeakMap<Namespace, () => string | undefined>();

export function setMigratingProbe(namespace: Namespace, probe: () => string | undefined): void {
  migratingNow.set(namespace, probe);
}

export function clearMigratingProbe(namespace: Namespace, probe: () => string | undefined): void {
  if (migratingNow.get(namespace) === probe) migratingNow.delete(namespace);
}

/** What of an update of `namespace` is running now (its phases, a hook, a lazy migration), if anything. */
export function runningOn(namespace: Namespace): string | undefined {
  return busy.get(namespace) ?? migratingNow.get(namespace)?.();
}

/** Throws NestedUpdateError if an update of `namespace` is running. */
export function refuseIfBusy(namespace: Namespace, patch: string): void {
  const running = runningOn(namespace);
  if (running !== undefined) {
    throw new NestedUpdateError(
      `update ${patch} was started while ${running} on namespace ${namespace.name} was still running (from one of its migrators, validations, listeners or its health check); start it after that update returns`,
      { patch, running, namespace: namespace.name },
    );
  }
}

/** Runs `body` with the namespace marked as busy with `what` (re-entrant for the engine itself). */
export function whileBusy<T>(namespace: Namespace, what: string, body: () => T): T {
  const outer = busy.get(namespace);
  busy.set(namespace, outer ?? what);
  try {
    return body();
  } finally {
    if (outer === undefined) busy.delete(namespace);
  }
}

/** `whileBusy` for asynchronous work (the health check). */
export async function whileBusyAsync<T>(
  namespace: Namespace,
  what: string,
  body: () => Promise<T>,
): Promise<T> {
  const outer = busy.get(namespace);
  busy.set(namespace, outer ?? what);
  try {
    return await body();
  } finally {
    if (outer === undefined) busy.delete(namespace);
  }
}
