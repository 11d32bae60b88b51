/**
 * ReleaseLog.hold: while a request changes the cluster's release, a worker
 * it did not count (forked after its turn came) gets the bundles only once
 * the outcome is in the log, so it starts on the release the cluster ended
 * on; a counted worker still starting is answered at once (the request
 * waits for it, and would otherwise wait for nothing).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { type CatchUp, ReleaseLog } from "../../src/release/catchUp.js";

test("uncounted workers get the log as the change left it; counted ones the log before it, at once", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 1, max: 50 }), { maxLength: 8 }),
      fc.uniqueArray(fc.integer({ min: 1, max: 50 }), { maxLength: 8 }),
      fc.constantFrom("committed", "rolled back", "nothing"),
      (counted, asking, outcome) => {
        const log = new ReleaseLog();
        log.committed("b1");
        const release = log.hold(counted);
        const got = new Map<number, CatchUp>();
        for (const pid of asking) {
          const waits = log.answer(pid, (c) => got.set(pid, c));
          expect(waits).toBe(!counted.includes(pid));
          expect(log.waitsForOutcome(pid)).toBe(!counted.includes(pid));
        }
        if (outcome === "committed") log.committed("b2");
        if (outcome === "rolled back") log.rolledBack();
        for (const pid of asking) expect(got.has(pid)).toBe(counted.includes(pid));
        release();
        const after = outcome === "committed" ? ["b1", "b2"] : outcome === "nothing" ? ["b1"] : [];
        for (const pid of asking) {
          expect(got.get(pid)!.bundles).toEqual(counted.includes(pid) ? ["b1"] : after);
          expect(log.waitsForOutcome(pid)).toBe(false);
        }
        // Once the change is over, every worker is answered at once.
        expect(log.answer(99, () => {})).toBe(false);
      },
    ),
    { seed: 20261207, numRuns: 200 },
  );
});
