/**
 * The snapshots a namespace keeps, oldest first, the last one live: what an
 * undone replace goes back to (bulkReplace.ts), until the program forgets
 * them (`forgetHistoryBefore`, which a permanent update calls).
 */
import { RollbackError, UndoError } from "../errors.js";

/** Namespace's key for `hold` (rollback.ts, phases/commit.ts): defining a binding is refused meanwhile. */
export const holdBindings = Symbol("metamorph.holdBindings");

/** Generic over the snapshot: namespace.ts holds one of its own (no import back). */
export class SnapshotHistory<S extends { readonly version: number }> {
  readonly #list: S[];
  /** What `view` hands out, until the history changes. */
  #view: readonly S[] | undefined;
  /** What is rolling the namespace back or committing an update to it, while it does. */
  #heldBy: string | undefined;

  constructor(first: S) {
    this.#list = [first];
  }

  /**
   * A frozen copy, the same until the history changes: the array itself was
   * handed out, and a caller's `pop()` made the next rollback "succeed" onto
   * version 0, with no bindings.
   */
  get view(): readonly S[] {
    this.#view ??= Object.freeze([...this.#list]);
    return this.#view;
  }

  push(snapshot: S): void {
    this.#view = undefined;
    this.#list.push(snapshot);
  }

  /**
   * Drops the live snapshot and returns the one before, now live. Refused,
   * nothing changed, when that one was forgotten: the namespace was left with
   * no snapshot at all, and every later read of it threw TypeError.
   */
  pop(namespace: string): S {
    const list = this.#list;
    if (list.length < 2) {
      const version = list[list.length - 1]!.version;
      throw new UndoError(
        `cannot undo version ${version} of namespace ${namespace}: the version before it is no longer kept (forgetHistoryBefore dropped it)`,
        { namespace, version },
      );
    }
    this.#view = undefined;
    list.pop();
    return list[list.length - 1]!;
  }

  /** Drops the snapshots older than `version`, never the live one. */
  forgetBefore(version: number): void {
    const list = this.#list;
    const keepFrom = list.findIndex((s) => s.version >= version);
    if (keepFrom <= 0) return;
    this.#view = undefined;
    list.splice(0, Math.min(keepFrom, list.length - 1));
  }

  /**
   * Runs `body` — a rollback, or a commit's rewrite — with new bindings
   * refused (`refuseHeld`): one defined meanwhile (by a getter the rewrite
   * reads) moved the namespace on, and the undo at a rollback's end, or of
   * a commit failing after it, was refused once every object was back.
   */
  hold<T>(what: string, body: () => T): T {
    const outer = this.#heldBy;
    this.#heldBy ??= what;
    try {
      return body();
    } finally {
      this.#heldBy = outer;
    }
  }

  refuseHeld(namespace: string, binding: string): void {
    const running = this.#heldBy;
    if (running === undefined) return;
    throw new RollbackError(
      `namespace ${namespace} is busy with ${running}: "${binding}" cannot be defined until it is done; define it after`,
      { namespace, binding, running },
    );
  }
}
