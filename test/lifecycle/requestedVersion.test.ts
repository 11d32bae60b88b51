/**
 * runUpdate waits (quiescence, hooks) between its call and its apply step; if
 * the version it was asked on is rolled back meanwhile — an earlier lazy
 * update rolling itself back at a first touch — the run fails with
 * MM_STALE_SHADOW and nothing changed, as update() does
 * (src/migration/phases/requested.ts). It reported "committed" over the
 * world before the earlier update, and every object answered "undefined/n"
 * (review advZ12, found again in the lifecycle by fixU2).
 */
import { expect, test } from "vitest";
import { update } from "../../src/index.js";
import { runUpdate } from "../../src/lifecycle/index.js";
import { accounts, noted, renamed } from "../support/accounts.js";

async function race(touch: boolean, failOn2 = true) {
  const { ns, objects } = accounts();
  const first = await update(ns, renamed(failOn2), { policy: "lazy" });
  first.completion.catch(() => {});
  const run = runUpdate({ namespace: ns, patch: noted() });
  // A request touches #2 while the run waits: p1 rolls itself back.
  if (touch) expect(objects[2]!.get()).toBe(21);
  const report = await run;
  return { ns, objects, report };
}

test("an earlier lazy update rolled back while the run waits: refused, nothing changed", async () => {
  const { ns, objects, report } = await race(true);
  expect(report.status).toBe("failed");
  expect(report.error).toMatchObject({
    code: "MM_STALE_SHADOW",
    details: { patch: "p2", requestedVersion: 2, version: 1 },
  });
  expect(ns.version).toBe(1);
  expect(objects.map((o) => o.get())).toEqual([1, 11, 21, 31]);
});

test("an earlier lazy update still pending is completed first, and the run commits over it", async () => {
  const { ns, objects, report } = await race(true, false);
  expect(report.status).toBe("committed");
  expect(ns.version).toBe(3);
  expect(objects.map((o) => o.get())).toEqual(["1/n", "11/n", "21/n", "31/n"]);
});
