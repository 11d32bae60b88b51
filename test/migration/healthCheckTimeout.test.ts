/**
 * A health check that never answers: the update stayed committed with no
 * result to roll it back from, and every later update of the namespace was
 * refused (MM_NESTED_UPDATE), for good (review advY2). Now a check that has
 * not answered within `healthCheckTimeoutMs` (default 60 s) counts as
 * failed, and the update is rolled back — by `update()` and by the
 * lifecycle's `runUpdate` alike.
 */
import { expect, test } from "vitest";
import { runUpdate } from "../../src/lifecycle/index.js";
import { InvalidOptionError, patch, update } from "../../src/index.js";
import { pictures } from "../support/pictures.js";

const never = () => new Promise<boolean>(() => {});
const addComment = () => patch("comment").addField("Picture", "comment", { default: "" }).build();

test.each(["eager", "lazy", "progressive"] as const)(
  "update() (%s): a health check that never answers rolls the update back at its time-out, and the namespace takes the next update",
  async (policy) => {
    const { ns, list } = pictures(3, `never-${policy}`);
    const version = ns.version;
    const result = await update(ns, addComment(), {
      policy,
      healthCheck: never,
      healthCheckTimeoutMs: 20,
    });
    expect([result.outcome, result.state(), ns.version]).toEqual([
      "rolled-back",
      "rolled-back",
      version,
    ]);
    expect(list.every((o) => !("comment" in o))).toBe(true);
    const next = await update(ns, addComment(), { policy: "eager" });
    expect(next.outcome).toBe("committed");
    expect(list.every((o) => o.comment === "")).toBe(true);
  },
);

test("runUpdate: a health check that never answers is a failed one", async () => {
  const { ns, list } = pictures(2, "never-lifecycle");
  const report = await runUpdate({
    namespace: ns,
    patch: addComment(),
    options: { healthCheck: never, healthCheckTimeoutMs: 20 },
  });
  expect(report.status).toBe("rolled-back");
  expect(list.every((o) => !("comment" in o))).toBe(true);
});

test.each([0, -1, 1.5, Number.NaN, 2 ** 31, "10"])(
  "healthCheckTimeoutMs %s is refused before anything happens",
  async (value) => {
    const { ns } = pictures(1, "bad-timeout");
    await expect(
      update(ns, addComment(), { healthCheckTimeoutMs: value as number }),
    ).rejects.toBeInstanceOf(InvalidOptionError);
    expect(ns.version).toBe(1);
  },
);
