/**
 * Who is told that a release of a history was rolled back, whatever rolled
 * it back: a control `rollback`, its health-check window, the health check
 * run right after its commit, the program's own call. A cluster's primary
 * keeps the bundles its workers replay (clusterAlone.ts): a release its own
 * history drops must leave them too. Kept beside the history rather than on
 * it, so that `ReleaseHistory`'s public surface stays as it is.
 */

export interface RolledBackRelease {
  /** The record's id in its history. */
  readonly id: number;
  readonly bundleId: string | undefined;
}

type Listener = (release: RolledBackRelease) => void;

const listeners = new WeakMap<object, Set<Listener>>();

/** Tells `listener` of every release `history` rolls back from now on. */
export function onRolledBack(history: object, listener: Listener): void {
  const set = listeners.get(history) ?? new Set();
  listeners.set(history, set);
  set.add(listener);
}

/** Called by the history once a release is rolled back. */
export function tellRolledBack(history: object, release: RolledBackRelease): void {
  for (const listener of listeners.get(history) ?? []) {
    try {
      listener(release);
    } catch {
      // The rollback has happened: a listener's failure must not make it look failed.
    }
  }
}
