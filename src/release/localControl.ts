/**
 * The answers of one process to the control channel's requests, whichever
 * way they arrive (its Unix socket, or its cluster primary over IPC):
 * status; apply; the two phases of an apply (prepare → commit or abort);
 * rollback; make permanent. Requests that change the service run one at a
 * time, and none runs while a prepared update waits (except its commit or
 * abort).
 */
import type { ApplyOutcome, ApplyProgress, ReleaseTarget } from "./applyBundle.js";
import { applyBundle, applyVerified } from "./applyBundle.js";
import { commitDeadline } from "./commitDeadline.js";
import { ReleaseHistory } from "./history.js";
import { PreparedUpdates, summarise } from "./prepared.js";
import type { ControlMessage, ControlRequest } from "./protocol.js";
import { jsonSafe, wireError } from "./protocol.js";
import { oneAtATime } from "./oneAtATime.js";
import type { ServedNamespace } from "./serve.js";

export type Send = (message: ControlMessage) => void;

/** Answers requests; `send` carries progress lines as they happen. A rejection is a typed error. */
export interface ControlHandler {
  handle(request: ControlRequest, send: Send): Promise<ControlMessage>;
  close(): void;
}

function outcomeMessage(
  command: "apply" | "commit",
  outcome: ApplyOutcome,
  extra: Readonly<Record<string, unknown>> = {},
): ControlMessage {
  const { report, error, ...rest } = outcome;
  return {
    type: "result",
    ok: outcome.status === "committed",
    command,
    ...extra,
    ...(jsonSafe(rest) as Record<string, unknown>),
    ...(error !== undefined ? { error: wireError(error) } : {}),
    holdMs: report.holdMs,
    // Calls running at the commit that started on the old version (they finish on it).
    straddled: report.straddled.length,
    timings: jsonSafe(report.timings),
  };
}

export class LocalControl implements ControlHandler {
  readonly prepared: PreparedUpdates;
  readonly #serialised = oneAtATime();
  #target: ReleaseTarget;

  constructor(target: ReleaseTarget) {
    this.#target = target;
    this.prepared = new PreparedUpdates();
  }

  get target(): ReleaseTarget {
    return this.#target;
  }

  /**
   * Updates another namespace from now on (serve.ts): its own history,
   * starting at the release running now. Refused while an update is prepared.
   */
  serve(served: ServedNamespace): void {
    this.prepared.refuseIfWaiting("serveNamespace");
    const { history } = this.#target;
    this.#target = {
      ...this.#target,
      namespace: served.namespace,
      history: new ReleaseHistory({ namespace: served.namespace.name, version: history.version }),
      ...(served.scope ? { scope: served.scope } : {}),
      ...(served.tracker ? { tracker: served.tracker } : {}),
      ...(served.healthCheck ? { healthCheck: served.healthCheck } : {}),
    };
  }

  handle(request: ControlRequest, send: Send): Promise<ControlMessage> {
    const progress = (p: ApplyProgress) =>
      send({ type: "progress", ...(jsonSafe(p) as Record<string, unknown>) });
    const work = () => this.#answer(request, progress);
    // Status reads; the other commands change the service, one at a time.
    return request.command === "status" ? work() : this.#serialised(work);
  }

  close(): void {
    this.prepared.clear();
  }

  async #answer(
    request: ControlRequest,
    progress: (p: ApplyProgress) => void,
  ): Promise<ControlMessage> {
    const { target, prepared } = this;
    const { history } = target;
    switch (request.command) {
      case "status":
        return {
          type: "result",
          ok: true,
          command: "status",
          namespaceVersion: target.namespace.version,
          ...history.status(),
          ...(prepared.waiting ? { prepared: summarise(prepared.waiting) } : {}),
        };
      case "rollback":
      case "permanent": {
        prepared.refuseIfWaiting(request.command);
        // A rollback waits, as the release's update did, for the calls it would straddle.
        const now =
          request.command === "rollback"
            ? await history.rollbackWhenQuiescent()
            : history.makePermanent();
        return {
          type: "result",
          ok: true,
          command: request.command,
          version: now.version,
          releases: history.releases(),
        };
      }
      case "apply":
        prepared.refuseIfWaiting("apply");
        return outcomeMessage("apply", await applyBundle(target, request.bundle, progress));
      case "prepare": {
        const update = prepared.prepare(target, request.bundle, request.expiresInMs, progress);
        return { type: "result", ok: true, command: "prepare", ...summarise(update) };
      }
      case "commit": {
        // A commit that arrives after its deadline drops the update unapplied (commitDeadline.ts).
        if (request.deadline !== undefined && Date.now() > request.deadline) {
          const update = prepared.abort(request.id);
          commitDeadline(request.deadline, update.bundle.payload.manifest.name).check();
        }
        const update = prepared.take(request.id);
        const outcome = await applyVerified(
          target,
          update.bundle,
          progress,
          update.patch,
          request.deadline,
        );
        return outcomeMessage("commit", outcome, { id: request.id });
      }
      case "abort": {
        prepared.abort(request.id);
        return {
          type: "result",
          ok: true,
          command: "abort",
          id: request.id,
          version: history.version,
        };
      }
    }
  }
}
