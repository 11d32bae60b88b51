/**
 * `metamorph status` on a cluster while an update runs: a worker forked
 * meanwhile waits for the outcome before it starts (ReleaseLog.hold), and
 * its line says so, instead of reading as a worker on release "undefined"
 * that DISAGREEs with the others.
 */
import { expect, test } from "vitest";
import { describeServiceStatus } from "../../src/cli/commands/status.js";

test("a worker waiting for the update's outcome is listed as starting, not as a disagreement", () => {
  const text = describeServiceStatus({
    ok: true,
    agreed: false,
    catchUp: { version: "4", bundles: 1, permanent: 0 },
    workers: [
      { pid: 11, type: "result", ok: true, version: "4" },
      { pid: 12, type: "result", ok: true, version: "4" },
      { pid: 13, type: "result", ok: false, starting: true, reason: "worker 13 is starting" },
    ],
  });
  expect(text).toContain("cluster: 1 of 3 workers still starting");
  expect(text).toContain("the others run 4");
  expect(text).toContain(
    "worker 13: starting — it waits for the outcome of the update in progress",
  );
  expect(text).not.toContain("undefined");
  expect(text).not.toContain("DISAGREE");
});
