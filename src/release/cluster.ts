/**
 * A cluster's primary answering for its workers (`node:cluster`, and so
 * PM2's cluster mode): `apply` updates every worker as one transaction
 * (transaction.ts), `prepare` prepares every worker and keeps the cluster's
 * update waiting under one id (aborted by itself at its expiry), `commit`
 * and `abort` finish it, `status`, `rollback` and `permanent` go to every
 * worker. The report lists each worker: pid, outcome, pause. With no worker
 * running, see `#alone`.
 */
import cluster, { type Worker } from "node:cluster";
import { randomUUID } from "node:crypto";
import { ClusterRefusedError, PreparedUnknownError, ReleasePreparedError } from "./errors.js";
import type { ControlHandler, LocalControl, Send } from "./localControl.js";
import type { ControlMessage, ControlRequest } from "./protocol.js";
import { DEFAULT_PREPARED_EXPIRY_MS, jsonSafe, MAX_PREPARED_EXPIRY_MS } from "./protocol.js";
import type { ReleaseLog } from "./catchUp.js";
import { committedAnswer, refusedAnswer, workersChanged } from "./clusterAnswers.js";
import { StartingWorkers, workerParticipant } from "./clusterIpc.js";
import { catchUpState, everyWorkerAnswer, rollBackLog } from "./clusterRollback.js";
import { clusterStatus } from "./clusterStatus.js";
import { readBundle } from "./readBundle.js";
import { verifyBundle } from "./verify.js";
import { refuseExpired } from "./expiry.js";
import type { Committed, CommitTiming, Participant } from "./transaction.js";
import { abortAll, commitAll, prepareAll } from "./transaction.js";

export interface ClusterControlOptions {
  /** How long a worker may take to answer one request (ms). Default 30 000. */
  readonly workerTimeoutMs?: number;
  /** The workers to coordinate (default: the running workers of `node:cluster`). */
  readonly participants?: (
    timeoutMs: number,
    onProgress: (pid: number, m: ControlMessage) => void,
  ) => Participant[];
  /** Where the bundles the cluster committed are kept, for workers that start later (catchUp.ts). */
  readonly log?: ReleaseLog;
  /** After a commit's deadline, how long the answer may take to arrive (ms). Default 2 000, plus the bundle's wait-until-over. */
  readonly commitGraceMs?: number;
}

interface Waiting {
  readonly id: string;
  readonly ids: ReadonlyMap<Participant, string>;
  readonly timer: NodeJS.Timeout;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly expiresAt: string;
  readonly timing: CommitTiming;
  readonly bundle: string;
}

function runningWorkers(
  timeoutMs: number,
  onProgress: (pid: number, m: ControlMessage) => void,
  starting: StartingWorkers,
): Participant[] {
  return Object.values(cluster.workers ?? {})
    .filter((w) => w?.isConnected() && !w.isDead())
    .map((w) => workerParticipant(w!, timeoutMs, onProgress, starting));
}

export class ClusterControl implements ControlHandler {
  #waiting: Waiting | undefined;
  #exclusive: Promise<unknown> = Promise.resolve();
  /** Workers the last commit gave up on, whose answers are still awaited (transaction.ts). */
  readonly #late = new Set<number>();
  /** Whether the program has had a worker (then a request with none running is refused). */
  #hadWorkers = false;
  readonly #onFork: ((worker: Worker) => void) | undefined;
  /**
   * Workers forked since, not yet ready: a request for one waits for it
   * (a re-forked worker still replaying would drop it, and the operator
   * would wait for the time-out), so that it is asked on the cluster's release.
   */
  readonly #starting = new StartingWorkers();
  /** The bundle of an update the primary prepared on its own, for the log at its commit. */
  #alonePrepared: { readonly id: string; readonly bundle: string } | undefined;
  readonly #timeoutMs: number;

  constructor(
    readonly local: LocalControl,
    readonly options: ClusterControlOptions = {},
  ) {
    this.#timeoutMs = options.workerTimeoutMs ?? 30_000;
    if (options.participants === undefined) {
      // A worker that started and exited between two requests counts too.
      this.#onFork = (worker) => {
        this.#hadWorkers = true;
        this.#starting.watch(worker);
      };
      cluster.on("fork", this.#onFork);
    }
  }

  handle(request: ControlRequest, send: Send): Promise<ControlMessage> {
    const progress = (pid: number, m: ControlMessage) => {
      if (m.type === "progress") send({ ...m, worker: pid });
    };
    // The workers are counted when the request's turn comes, not when it arrived: one
    // forked while another request ran read the cluster's list before that one committed,
    // and is asked too (once it is ready), instead of being left on the release before.
    const work = () => {
      const participants =
        this.options.participants?.(this.#timeoutMs, progress) ??
        runningWorkers(this.#timeoutMs, progress, this.#starting);
      if (participants.length > 0) this.#hadWorkers = true;
      if (participants.length === 0 && this.#waiting === undefined)
        return this.#alone(request, send);
      return this.#answer(request, participants, send);
    };
    return request.command === "status" ? work() : this.#serialised(work);
  }

  /**
   * No worker running. Before the program ever forked one, it is a process
   * on its own: it answers for itself, and what it commits goes in the log,
   * so that a worker it forks later catches up to it. Once it has had
   * workers, the service runs in them and the primary's own release is not
   * the cluster's: a change now would reach no worker (and a worker forked
   * later would not have it), so it is refused — except a rollback, which
   * rolls back the log (clusterRollback.ts), and status, which says that no
   * worker runs and what one forked now would start on.
   */
  async #alone(request: ControlRequest, send: Send): Promise<ControlMessage> {
    if (request.command === "status") {
      const own = await this.local.handle(request, send);
      if (!this.#hadWorkers || own.type !== "result") return own;
      return { ...own, agreed: false, workers: [], ...this.#catchUp() };
    }
    if (this.#hadWorkers && request.command === "rollback") return rollBackLog(this.options.log);
    if (this.#hadWorkers) {
      throw new ClusterRefusedError(
        `${request.command} refused: no worker is running, so no worker would get it; retry once a worker has started (the cluster's release stays as it was)`,
        { workers: [] },
      );
    }
    const answer = await this.local.handle(request, send);
    if (answer.type !== "result" || answer.ok !== true) return answer;
    const { log } = this.options;
    if (request.command === "apply") log?.committed(request.bundle);
    if (request.command === "prepare")
      this.#alonePrepared = { id: String(answer.id), bundle: request.bundle };
    if (request.command === "commit" && this.#alonePrepared?.id === request.id)
      log?.committed(this.#alonePrepared.bundle);
    if (request.command === "rollback") log?.rolledBack();
    if (request.command === "permanent") log?.madePermanent();
    return answer;
  }

  /** The release a worker forked now starts on (the log's bundles over the disk's release). */
  #catchUp(): { readonly catchUp: ReturnType<typeof catchUpState> } {
    return {
      catchUp: catchUpState(
        this.options.log,
        this.local.target.history.status().releases[0]!.version,
      ),
    };
  }

  close(): void {
    if (this.#onFork) cluster.off("fork", this.#onFork);
    if (this.#waiting) clearTimeout(this.#waiting.timer);
    this.#waiting = undefined;
    this.local.close();
  }

  #serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#exclusive.then(work, work);
    this.#exclusive = run.catch(() => {});
    return run;
  }

  async #answer(
    request: ControlRequest,
    participants: readonly Participant[],
    send: Send,
  ): Promise<ControlMessage> {
    if (request.command !== "status") this.#refuseIfLate(request.command);
    switch (request.command) {
      case "apply":
        return this.#apply(request.bundle, participants, send);
      case "prepare":
        return this.#prepare(request.bundle, request.expiresInMs, participants);
      case "commit":
        return this.#commit(request.id, participants);
      case "abort": {
        const waiting = this.#take(request.id);
        const workers = await abortAll(waiting.ids);
        return {
          type: "result",
          ok: true,
          command: "abort",
          id: request.id,
          workers: jsonSafe(workers, 5),
        };
      }
      case "status": {
        const w = this.#waiting;
        const prepared = w && {
          id: w.id,
          fromVersion: w.fromVersion,
          toVersion: w.toVersion,
          expiresAt: w.expiresAt,
        };
        const answer = await clusterStatus(participants, prepared, () => [...this.#late]);
        return { ...answer, ...this.#catchUp() };
      }
      default:
        this.#refuseIfWaiting();
        return this.#everyWorker(request, participants);
    }
  }

  /** The primary checks the signature and expiry too, so a forged or expired bundle is refused before any worker sees it. */
  #verify(bundle: string): { fromVersion: string; toVersion: string; timing: CommitTiming } {
    const { target } = this.local;
    const read = readBundle(
      bundle,
      target.maxBundleBytes === undefined ? {} : { maxBytes: target.maxBundleBytes },
    );
    const verified = verifyBundle(read, target.trust);
    refuseExpired(verified);
    const { payload } = verified;
    const { options } = payload;
    // A commit waits for quiescence before its deadline, and after it (lazy,
    // progressive) for the end of the migration; then its answer travels.
    return {
      fromVersion: payload.manifest.fromVersion,
      toVersion: payload.manifest.toVersion,
      timing: {
        deadlineInMs: this.#timeoutMs + (options.timeoutMs ?? 5_000),
        graceMs: (options.overTimeoutMs ?? 1_000) + (this.options.commitGraceMs ?? 2_000),
        followUpMs: 600_000,
      },
    };
  }

  /** Keeps the workers whose commit answers are late until they answered (and were rolled back if they committed). */
  #followUp(committed: Committed): void {
    const late = committed.workers.filter((w) => w.late === true).map((w) => w.pid);
    for (const pid of late) this.#late.add(pid);
    void committed.settled.finally(() => {
      for (const pid of late) this.#late.delete(pid);
    });
  }

  /** While a late worker may still commit (and be rolled back), nothing else changes the cluster. */
  #refuseIfLate(command: string): void {
    if (this.#late.size === 0) return;
    const pids = [...this.#late];
    throw new ClusterRefusedError(
      `${command} refused: worker ${pids.join(", ")} has not yet answered a commit the cluster gave up on; it is rolled back if it committed — retry once it has answered (metamorph status shows each worker)`,
      { workers: pids.map((pid) => ({ pid, outcome: "failed" })) },
    );
  }

  async #apply(
    bundle: string,
    participants: readonly Participant[],
    send: Send,
  ): Promise<ControlMessage> {
    this.#refuseIfWaiting();
    const { fromVersion, timing } = this.#verify(bundle);
    const t0 = performance.now();
    const prepared = await prepareAll(participants, bundle, undefined);
    send({
      type: "progress",
      kind: "cluster",
      step: prepared.ready ? "prepared" : "refused",
      atMs: performance.now() - t0,
    });
    if (!prepared.ready) return refusedAnswer("apply", prepared.workers, t0);
    const committed = await commitAll(prepared.ids, timing);
    if (!committed.committed) {
      this.#followUp(committed);
      return refusedAnswer("apply", committed.workers, t0);
    }
    this.options.log?.committed(bundle);
    return committedAnswer("apply", committed.workers, t0, fromVersion, prepared.workers);
  }

  async #prepare(
    bundle: string,
    expiresInMs: number | undefined,
    participants: readonly Participant[],
  ): Promise<ControlMessage> {
    this.#refuseIfWaiting();
    const { fromVersion, toVersion, timing } = this.#verify(bundle);
    const t0 = performance.now();
    const expiry = expiresInMs ?? DEFAULT_PREPARED_EXPIRY_MS;
    // The workers keep theirs a little longer: the cluster's own expiry aborts them all first.
    const prepared = await prepareAll(
      participants,
      bundle,
      Math.min(expiry + 5_000, MAX_PREPARED_EXPIRY_MS),
    );
    if (!prepared.ready) return refusedAnswer("prepare", prepared.workers, t0);
    const id = randomUUID();
    const timer = setTimeout(() => {
      if (this.#waiting?.id !== id) return;
      this.#waiting = undefined;
      void abortAll(prepared.ids);
    }, expiry);
    timer.unref();
    const expiresAt = new Date(Date.now() + expiry).toISOString();
    this.#waiting = {
      id,
      ids: prepared.ids,
      timer,
      fromVersion,
      toVersion,
      expiresAt,
      timing,
      bundle,
    };
    return {
      type: "result",
      ok: true,
      command: "prepare",
      id,
      expiresAt,
      workers: jsonSafe(prepared.workers),
      ms: performance.now() - t0,
    };
  }

  async #commit(id: string, running: readonly Participant[]): Promise<ControlMessage> {
    const waiting = this.#take(id);
    const t0 = performance.now();
    const changed = await workersChanged(waiting, running);
    if (changed) return refusedAnswer("commit", changed, t0, id);
    const committed = await commitAll(waiting.ids, waiting.timing);
    if (!committed.committed) {
      this.#followUp(committed);
      return refusedAnswer("commit", committed.workers, t0, id);
    }
    this.options.log?.committed(waiting.bundle);
    return committedAnswer("commit", committed.workers, t0, waiting.fromVersion, [], id);
  }

  async #everyWorker(
    request: ControlRequest,
    participants: readonly Participant[],
  ): Promise<ControlMessage> {
    const answers = await Promise.all(
      participants.map((p) => p.call(request).then((m) => ({ pid: p.pid, ...m }))),
    );
    return everyWorkerAnswer(
      request.command as "rollback" | "permanent",
      answers,
      this.options.log,
    );
  }

  #refuseIfWaiting(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    throw new ReleasePreparedError(
      `refused: cluster update ${waiting.id} is prepared and waits for commit or abort`,
      { id: waiting.id },
    );
  }

  #take(id: string): Waiting {
    const waiting = this.#waiting;
    if (waiting === undefined || waiting.id !== id) {
      throw new PreparedUnknownError(
        `no prepared cluster update ${id}: it was never prepared here, was committed or aborted already, or expired`,
        { id },
      );
    }
    clearTimeout(waiting.timer);
    this.#waiting = undefined;
    return waiting;
  }
}
