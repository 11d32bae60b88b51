/**
 * A cluster's primary answering for its workers (`node:cluster`, and so
 * PM2's cluster mode): `apply` updates every worker as one transaction
 * (transaction.ts), `prepare` prepares every worker and keeps the cluster's
 * update waiting under one id (aborted by itself at its expiry), `commit`
 * and `abort` finish it, `status`, `rollback` and `permanent` go to every
 * worker. The report lists each worker: pid, outcome, pause. With no worker
 * running, see clusterAlone.ts.
 */
import cluster, { type Worker } from "node:cluster";
import { randomUUID } from "node:crypto";
import { PreparedUnknownError, ReleasePreparedError } from "./errors.js";
import type { ControlHandler, LocalControl, Send } from "./localControl.js";
import type { ControlMessage, ControlRequest } from "./protocol.js";
import { DEFAULT_PREPARED_EXPIRY_MS, jsonSafe, MAX_PREPARED_EXPIRY_MS } from "./protocol.js";
import type { ReleaseLog } from "./catchUp.js";
import { AlonePrimary } from "./clusterAlone.js";
import { asTheyAre, committedAnswer, refusedAnswer, workersChanged } from "./clusterAnswers.js";
import { runningWorkers, StartingWorkers } from "./clusterIpc.js";
import { primaryClusterKey } from "./clusterKey.js";
import {
  astrayAnswer,
  catchUpState,
  checkReleases,
  clusterReleases,
  everyWorkerAnswer,
} from "./clusterRollback.js";
import { clusterStatus, heldWorker } from "./clusterStatus.js";
import { LateCommits } from "./clusterLate.js";
import { oneAtATime } from "./oneAtATime.js";
import { type ClusterBundle, verifyForCluster } from "./clusterVerify.js";
import type { Committed, CommitTiming, Participant, WorkerReport } from "./transaction.js";
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

/** Progress lines of the workers, named by pid. */
const progressOf =
  (send: Send) =>
  (pid: number, m: ControlMessage): void => {
    if (m.type === "progress") send({ ...m, worker: pid });
  };

export class ClusterControl implements ControlHandler {
  #waiting: Waiting | undefined;
  readonly #serialised = oneAtATime();
  /** Workers the last commit gave up on, whose answers are still awaited (transaction.ts). */
  readonly #late = new LateCommits();
  /** Whether the program has had a worker (then a request with none running is refused). */
  #hadWorkers = false;
  readonly #onFork: ((worker: Worker) => void) | undefined;
  /**
   * Workers forked since, not yet ready: a request for one waits for it
   * (a re-forked worker still replaying would drop it, and the operator
   * would wait for the time-out), so that it is asked on the cluster's release.
   */
  readonly #starting = new StartingWorkers();
  /** Ids of cluster updates that expired, so that a late commit hears why. */
  readonly #expired = new Set<string>();
  /** The primary with no worker running (clusterAlone.ts). */
  readonly #alone: AlonePrimary;
  readonly #timeoutMs: number;

  constructor(
    readonly local: LocalControl,
    readonly options: ClusterControlOptions = {},
  ) {
    this.#timeoutMs = options.workerTimeoutMs ?? 30_000;
    this.#alone = new AlonePrimary(local, {
      log: options.log,
      hadWorkers: () => {
        // One running now counts even if no request has counted it yet.
        if (this.#running(() => {}).length > 0) this.#hadWorkers = true;
        return this.#hadWorkers;
      },
      catchUp: () => this.#catchUp(),
      rollBack: (still) =>
        this.#serialised(async () =>
          still() ? this.#changing({ command: "rollback" }, () => {}) : undefined,
        ),
    });
    if (options.participants === undefined) {
      // Before the program forks: every worker inherits the key its requests are sealed with.
      primaryClusterKey();
      // A worker that started and exited between two requests counts too.
      this.#onFork = (worker) => {
        this.#hadWorkers = true;
        this.#starting.watch(worker);
      };
      cluster.on("fork", this.#onFork);
    }
  }

  handle(request: ControlRequest, send: Send): Promise<ControlMessage> {
    const { log } = this.options;
    // A worker waiting for an update's outcome to start has no release yet: said at once, not asked.
    if (request.command === "status") {
      const running = this.#running(progressOf(send));
      return this.#turn(
        request,
        running.map((p) => (log?.waitsForOutcome(p.pid) === true ? heldWorker(p.pid) : p)),
        send,
      );
    }
    return this.#serialised(() => this.#changing(request, send));
  }

  /**
   * The workers are counted when the request's turn comes, not when it arrived: one
   * forked while another request ran is asked too (once it is ready). One forked
   * from now on gets the cluster's bundles once the outcome is in the log (catchUp.ts).
   */
  #changing(request: ControlRequest, send: Send): Promise<ControlMessage> {
    const participants = this.#running(progressOf(send));
    const release = this.options.log?.hold(participants.map((p) => p.pid)) ?? (() => {});
    return this.#turn(request, participants, send).finally(release);
  }

  #turn(
    request: ControlRequest,
    participants: readonly Participant[],
    send: Send,
  ): Promise<ControlMessage> {
    if (participants.length > 0) this.#hadWorkers = true;
    return participants.length === 0 && this.#waiting === undefined
      ? this.#alone.answer(request, send)
      : this.#answer(request, participants, send);
  }

  #running(progress: (pid: number, m: ControlMessage) => void): Participant[] {
    return (
      this.options.participants?.(this.#timeoutMs, progress) ??
      runningWorkers(this.#timeoutMs, progress, this.#starting)
    );
  }

  /** The release a worker forked now starts on (the log's bundles over the disk's release). */
  #catchUp(): { readonly catchUp: ReturnType<typeof catchUpState> } {
    return { catchUp: catchUpState(this.options.log, this.#diskVersion) };
  }

  /** The release the processes started on (the code on disk). */
  get #diskVersion(): string {
    return this.local.target.history.status().releases[0]!.version;
  }

  close(): void {
    if (this.#onFork) cluster.off("fork", this.#onFork);
    if (this.#waiting) clearTimeout(this.#waiting.timer);
    this.#waiting = undefined;
    this.local.close();
  }

  async #answer(
    request: ControlRequest,
    participants: readonly Participant[],
    send: Send,
  ): Promise<ControlMessage> {
    if (request.command !== "status") this.#late.refuse(request.command);
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
        const answer = await clusterStatus(participants, prepared, () => this.#late.pids);
        return { ...answer, ...this.#catchUp() };
      }
      default:
        this.#refuseIfWaiting();
        return this.#everyWorker(request, participants);
    }
  }

  /** The primary checks the signature and expiry too, so a forged or expired bundle is refused before any worker sees it. */
  #verify(bundle: string): ClusterBundle {
    return verifyForCluster(this.local.target, bundle, {
      workerTimeoutMs: this.#timeoutMs,
      commitGraceMs: this.options.commitGraceMs ?? 2_000,
    });
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
    return this.#decided("apply", committed, participants, {
      bundle,
      fromVersion,
      prepared: prepared.workers,
      t0,
    });
  }

  /**
   * A commit's outcome goes in the log before the hold on new workers ends
   * (catchUp.ts), and the answer lists the workers as they are now: one that
   * exited after it answered runs nothing, and one forked meanwhile starts
   * on the release the cluster ended on (clusterAnswers.ts).
   */
  #decided(
    command: "apply" | "commit",
    committed: Committed,
    participants: readonly Participant[],
    update: {
      readonly bundle: string;
      readonly fromVersion: string;
      readonly prepared: readonly WorkerReport[];
      readonly t0: number;
      readonly id?: string;
    },
  ): ControlMessage {
    const { bundle, fromVersion, prepared, t0, id } = update;
    if (committed.committed) this.options.log?.committed(bundle);
    else this.#late.followUp(committed);
    const workers = asTheyAre(
      committed.workers,
      participants,
      this.#running(() => {}),
      this.#catchUp().catchUp.version,
    );
    return committed.committed
      ? committedAnswer(command, workers, t0, fromVersion, prepared, id)
      : refusedAnswer(command, workers, t0, id);
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
      this.#expired.add(id);
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
    return this.#decided("commit", committed, [...waiting.ids.keys()], {
      bundle: waiting.bundle,
      fromVersion: waiting.fromVersion,
      prepared: [],
      t0,
      id,
    });
  }

  async #everyWorker(
    request: ControlRequest,
    participants: readonly Participant[],
  ): Promise<ControlMessage> {
    const command = request.command as "rollback" | "permanent";
    const releases = clusterReleases(this.options.log, this.#diskVersion);
    const { ask, there, astray } = await checkReleases(command, participants, releases);
    if (astray.length > 0) return astrayAnswer(command, astray);
    const answers = await Promise.all(
      ask.map((p) => p.call(request).then((m) => ({ pid: p.pid, ...m }))),
    );
    return everyWorkerAnswer(command, [...there, ...answers], this.options.log);
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
      // As a process on its own says it (prepared.ts): an expired id is told apart.
      const expired = this.#expired.has(id);
      throw new PreparedUnknownError(
        `no prepared cluster update ${id}: ${expired ? "it expired and was aborted" : "it was never prepared here, or it was committed or aborted already"}`,
        { id, expired },
      );
    }
    clearTimeout(waiting.timer);
    this.#waiting = undefined;
    return waiting;
  }
}
