/**
 * A cluster's primary with no worker running (cluster.ts). Before the
 * program ever forked one, it is a process on its own: it answers for
 * itself, and what it commits goes in the log, so that a worker it forks
 * later catches up to it. Once it has had workers, the service runs in
 * them and the primary's own release is not the cluster's: a change now
 * would reach no worker (and a worker forked later would not have it), so
 * it is refused — except a rollback, which rolls back the log
 * (clusterRollback.ts), and status, which says that no worker runs and
 * what one forked now would start on.
 *
 * The log follows the primary's own history for the releases it committed
 * so: whatever rolls one back — a control `rollback`, but also its
 * health-check window, by itself, long after the answer — takes it out of
 * the log. Otherwise every worker forked later would replay a release the
 * primary rejected, and the cluster would run it again.
 */
import type { ReleaseLog } from "./catchUp.js";
import { rollBackLog } from "./clusterRollback.js";
import { ClusterRefusedError } from "./errors.js";
import { onRolledBack } from "./historyListeners.js";
import type { LocalControl, Send } from "./localControl.js";
import type { ControlMessage, ControlRequest } from "./protocol.js";

/** What the primary's ClusterControl tells, and does, for the primary on its own. */
export interface AloneCluster {
  readonly log: ReleaseLog | undefined;
  /** Whether the program has had a worker. */
  hadWorkers(): boolean;
  /** What a worker forked now starts on (status's `catchUp`). */
  catchUp(): Readonly<Record<string, unknown>>;
  /**
   * The cluster's `rollback`, in its turn, if `still` holds then (undefined
   * if not): see #rolledBack.
   */
  rollBack(still: () => boolean): Promise<ControlMessage | undefined>;
}

export class AlonePrimary {
  /** The bundle of an update the primary prepared on its own, for the log at its commit. */
  #prepared: { readonly id: string; readonly bundle: string } | undefined;
  /** The bundles it committed on its own, by id, with the log's length once each went in (its place). */
  readonly #logged = new Map<string, { readonly bundle: string; readonly depth: number }>();
  /** The histories heard (the program's serveNamespace gives the primary a new one). */
  readonly #heard = new WeakSet<object>();

  constructor(
    private readonly local: LocalControl,
    private readonly cluster: AloneCluster,
  ) {}

  async answer(request: ControlRequest, send: Send): Promise<ControlMessage> {
    const { log } = this.cluster;
    if (request.command === "status") {
      const own = await this.local.handle(request, send);
      if (!this.cluster.hadWorkers() || own.type !== "result") return own;
      return { ...own, agreed: false, workers: [], ...this.cluster.catchUp() };
    }
    const hadWorkers = this.cluster.hadWorkers();
    if (hadWorkers && request.command === "rollback") return rollBackLog(log);
    if (hadWorkers) {
      throw new ClusterRefusedError(
        `${request.command} refused: no worker is running, so no worker would get it; retry once a worker has started (the cluster's release stays as it was)`,
        { workers: [] },
      );
    }
    this.#hear();
    const answer = await this.local.handle(request, send);
    if (answer.type !== "result" || answer.ok !== true) return answer;
    // A rollback leaves the log as the history tells it (#rolledBack).
    if (request.command === "apply") this.#committed(answer.bundleId, request.bundle);
    if (request.command === "prepare")
      this.#prepared = { id: String(answer.id), bundle: request.bundle };
    if (request.command === "commit" && this.#prepared?.id === request.id)
      this.#committed(answer.bundleId, this.#prepared.bundle);
    if (request.command === "permanent") log?.madePermanent();
    return answer;
  }

  #hear(): void {
    const { history } = this.local.target;
    if (this.#heard.has(history)) return;
    this.#heard.add(history);
    onRolledBack(history, ({ bundleId }) => this.#rolledBack(bundleId));
  }

  #committed(bundleId: unknown, bundle: string): void {
    const { log } = this.cluster;
    if (log === undefined || typeof bundleId !== "string") return;
    // Its health-check window may have rolled it back already, before this answer came.
    const record = this.local.target.history.releases().findLast((r) => r.bundleId === bundleId);
    if (record?.state === "rolled-back") return;
    log.committed(bundle);
    this.#logged.set(bundleId, { bundle, depth: log.catchUp.bundles.length });
  }

  #rolledBack(bundleId: string | undefined): void {
    const { log } = this.cluster;
    const logged = bundleId === undefined ? undefined : this.#logged.get(bundleId);
    if (log === undefined || logged === undefined) return;
    this.#logged.delete(bundleId!);
    // The same entry, not a later one that happens to be the same bundle.
    const still = () => log.last === logged.bundle && log.catchUp.bundles.length === logged.depth;
    if (!still()) return;
    if (!this.cluster.hadWorkers()) {
      log.rolledBack();
      return;
    }
    // Workers forked since replayed it: the cluster leaves it too, so that
    // none keeps a release the window rejected. No one asked, so a refusal is a warning.
    const refused = (why: string) =>
      process.emitWarning(
        `the primary rolled back its own release (bundle ${bundleId}), which its workers had replayed, but the cluster's rollback was refused: ${why}; the workers keep that release (metamorph rollback takes the cluster back)`,
        { code: "MM_CLUSTER_REFUSED" },
      );
    this.cluster.rollBack(still).then(
      (answer) => {
        if (answer?.type === "error") refused(answer.message);
        else if (answer?.ok === false) refused(String(answer.reason));
      },
      (error: unknown) => refused((error as Error)?.message ?? String(error)),
    );
  }
}
