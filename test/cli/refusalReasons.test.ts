/**
 * Every refusal the control commands print carries the service's code and
 * reason (a cluster's rollback that a worker refused said only
 * "MM_REFUSED: rollback was not done"), and a cluster's status with a
 * worker that did not answer, or none running, is printed, not refused.
 */
import { expect, test } from "vitest";
import { notDone } from "../../src/cli/commands/control.js";
import { describeServiceStatus } from "../../src/cli/commands/status.js";

test("a refusal without a describer prints the service's code and reason", () => {
  const reason = "cluster rollback: the cluster stays on its release (worker 2 failed: …)";
  expect(
    notDone("rollback", {
      type: "result",
      ok: false,
      reason,
      error: { code: "MM_CLUSTER_REFUSED", message: reason },
    }),
  ).toEqual({ code: "MM_CLUSTER_REFUSED", message: reason });
  expect(notDone("rollback", { type: "result", ok: false }).code).toBe("MM_REFUSED");
});

test("a cluster's status with a silent worker, or none running, says so", () => {
  const text = describeServiceStatus({
    ok: true,
    agreed: false,
    catchUp: { version: "4", bundles: 1, permanent: 0 },
    workers: [
      { pid: 11, type: "result", ok: true, version: "4" },
      { pid: 12, type: "error", code: "MM_WORKER_EXITED", message: "worker 12 exited" },
    ],
  });
  expect(text).toContain("cluster: 1 of 2 workers did not answer; the others run 4");
  expect(text).toContain("worker 12: error MM_WORKER_EXITED");
  expect(text).toContain("a worker forked now starts on 4");
  const none = describeServiceStatus({
    ok: true,
    agreed: false,
    workers: [],
    catchUp: { version: "3", bundles: 0, permanent: 0 },
  });
  expect(none).toContain("cluster: no worker is running");
  expect(none).toContain("a worker forked now starts on 3");
});
