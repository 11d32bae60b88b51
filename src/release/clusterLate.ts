/**
 * The workers whose commit answers a cluster's primary gave up waiting for
 * (transaction.ts): until each has answered — and was rolled back if it
 * committed — nothing else may change the cluster, or that late rollback
 * would undo a later release.
 */
import { ClusterRefusedError } from "./errors.js";
import type { Committed } from "./transaction.js";

export class LateCommits {
  readonly #late = new Set<number>();

  get pids(): number[] {
    return [...this.#late];
  }

  /** Keeps the workers whose commit answers are late until they answered (and were rolled back if they committed). */
  followUp(committed: Committed): void {
    const late = committed.workers.filter((w) => w.late === true).map((w) => w.pid);
    for (const pid of late) this.#late.add(pid);
    void committed.settled.finally(() => {
      for (const pid of late) this.#late.delete(pid);
    });
  }

  /** While a late worker may still commit (and be rolled back), nothing else changes the cluster. */
  refuse(command: string): void {
    if (this.#late.size === 0) return;
    const pids = this.pids;
    throw new ClusterRefusedError(
      `${command} refused: worker ${pids.join(", ")} has not yet answered a commit the cluster gave up on; it is rolled back if it committed — retry once it has answered (metamorph status shows each worker)`,
      { workers: pids.map((pid) => ({ pid, outcome: "failed" })) },
    );
  }
}
