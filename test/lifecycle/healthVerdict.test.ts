/**
 * The reason a health check run right after the commit gives when it rolls
 * the update back says how the check ended: it answered false, it threw,
 * or it gave no answer within its time-out (healthCheckTimeoutMs) — before,
 * a check that hung read "the health check failed after the commit", as if
 * it had answered (advZ4). A check that answers true keeps the update.
 */
import { expect, test } from "vitest";
import { runUpdate } from "../../src/lifecycle/index.js";
import { Namespace, patch } from "../../src/index.js";

function world() {
  const ns = new Namespace("health");
  const Box = ns.defineClass<{ tag(): string }>({
    name: "Box",
    fields: [],
    methods: {
      tag() {
        return "v1";
      },
    },
  });
  const box = new Box();
  const v2 = patch("v2")
    .replaceMethods("Box", {
      tag() {
        return "v2";
      },
    })
    .build();
  return { ns, box, v2 };
}

type Check = () => boolean | Promise<boolean>;
const CASES: readonly (readonly [string, Check, RegExp])[] = [
  [
    "hangs",
    () => new Promise<boolean>(() => {}),
    /did not answer within 50 ms after the commit \(timed out\)/,
  ],
  ["answers false", () => false, /^the health check failed after the commit$/],
  [
    "throws",
    () => {
      throw new Error("db down");
    },
    /^the health check threw after the commit: db down$/,
  ],
  ["rejects", () => Promise.reject(new Error("db down")), /threw after the commit: db down/],
];

test.each(CASES)(
  "a health check that %s rolls back with that reason",
  async (_, healthCheck, reason) => {
    const { ns, box, v2 } = world();
    const report = await runUpdate({
      namespace: ns,
      patch: v2,
      options: { healthCheck, healthCheckTimeoutMs: 50 },
    });
    expect(report.status).toBe("rolled-back");
    expect(report.reason).toMatch(reason);
    expect(box.tag()).toBe("v1");
  },
);

test("a health check that answers true keeps the update", async () => {
  const { ns, box, v2 } = world();
  const report = await runUpdate({
    namespace: ns,
    patch: v2,
    options: { healthCheck: async () => true, healthCheckTimeoutMs: 50 },
  });
  expect(report.status).toBe("committed");
  expect(box.tag()).toBe("v2");
});
