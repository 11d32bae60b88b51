/**
 * An update's `timeoutMs` bounds its migration code too, not only its wait
 * for alterability (src/migration/budget.ts). Before, a migrator that ran
 * long blocked the service inside the update, and the update committed
 * anyway after its caller had given up (`apply --timeout` exited
 * MM_CONTROL_TIMEOUT; ten seconds later the service committed, pause
 * 15089 ms: review advZ31 #2). Now the eager migrate phase reads the clock
 * every 1024 objects (before any object is rewritten) and the run ends
 * postponed, nothing changed, as a wait that timed out does
 * (`metamorph apply` prints MM_UPDATE_POSTPONED).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { runUpdate } from "../../src/lifecycle/index.js";
import { accounts } from "../support/accounts.js";

const BUDGET_MS = 200;

/** Blocks until `ms` have passed: a migrator that runs long. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** Adds a field whose code (an initialiser, or a migrator) runs long on object `slow`. */
function slowPatch(slow: number, kind: "initial" | "migrator", calls: { n: number }) {
  const run = (id: number) => {
    calls.n++;
    // Past the budget for sure: it started before this call.
    if (id === slow) busy(BUDGET_MS + 5);
  };
  const p = patch("slow");
  if (kind === "initial")
    return p
      .addField("Acc", "h", {
        initial: (old) => {
          run(old.id as number);
          return 1;
        },
      })
      .build();
  return p
    .addField("Acc", "h", { default: 0 })
    .migrate("Acc", (old, target) => {
      run(old.id as number);
      (target as { h: number }).h = 1;
    })
    .build();
}

const stateOf = (objects: readonly object[]) =>
  objects.map((o) => [Object.getPrototypeOf(o), Reflect.ownKeys(o), { ...o }]);

test("migration code running past timeoutMs: postponed, nothing changed, stopped within 1024 objects", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 2500 }).chain((count) =>
        fc.record({
          count: fc.constant(count),
          slow: fc.integer({ min: 0, max: count - 1 }),
          kind: fc.constantFrom("initial" as const, "migrator" as const),
        }),
      ),
      async ({ count, slow, kind }) => {
        const { ns, objects } = accounts({ count });
        const before = stateOf(objects);
        const calls = { n: 0 };
        const report = await runUpdate({
          namespace: ns,
          patch: slowPatch(slow, kind, calls),
          timeoutMs: BUDGET_MS,
        });
        expect(report.status).toBe("postponed");
        expect(report.reason).toMatch(/past the update's time-out/);
        expect(report.error).toBeUndefined();
        expect(ns.version).toBe(1);
        expect(stateOf(objects)).toEqual(before);
        // It stopped at the first read of the clock after the slow object.
        expect(calls.n).toBeLessThanOrEqual(Math.ceil((slow + 1) / 1024) * 1024);
      },
    ),
    { seed: 31_2, numRuns: 6 },
  );
});

test("the same update without a slow object, with the same budget, commits", async () => {
  for (const kind of ["initial", "migrator"] as const) {
    const { ns, objects } = accounts({ count: 3 });
    const report = await runUpdate({
      namespace: ns,
      patch: slowPatch(-1, kind, { n: 0 }),
      timeoutMs: BUDGET_MS,
    });
    expect(report.status).toBe("committed");
    expect(ns.version).toBe(2);
    expect(objects.map((o) => (o as unknown as { h: number }).h)).toEqual([1, 1, 1]);
  }
});
