/**
 * Where the heap cannot be queried (a browser page; here the heap finder is
 * made unavailable), the adaptive finder records at most a cap of objects
 * per job (TURN_FACTOR × switchAfter) and only counts the rest
 * (src/mop/instances/untracked.ts): a loop of temporaries keeps at most the
 * cap alive, and no job can reach V8's abort past ~2^24 kept objects. Their
 * class's instances cannot all be found from then on: an update of it is
 * refused, nothing changed, naming why; other classes update as before.
 */
import fc from "fast-check";
import { describe, expect, test, vi } from "vitest";
import { InstanceFinderUnavailableError, MetamorphError } from "../../src/errors.js";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { TURN_FACTOR } from "../../src/mop/instances/adaptiveFinder.js";

vi.mock("../../src/mop/instances/heapFinder.js", async (original) => ({
  ...(await original<typeof import("../../src/mop/instances/heapFinder.js")>()),
  createHeapFinder: () => {
    throw new InstanceFinderUnavailableError("no inspector here (as in a browser page)");
  },
}));

const SWITCH_AFTER = 16;
const CAP = SWITCH_AFTER * TURN_FACTOR;
const nextJob = () => new Promise<void>((resolve) => setImmediate(resolve));
const gc = (globalThis as { gc?: () => void }).gc!;

interface Point {
  x: number;
  y?: number;
}
type PointClass = new (init?: { x: number }) => Point;

function world(name: string) {
  const ns = new Namespace(name, { switchToHeapAfter: SWITCH_AFTER });
  const point = (className: string) =>
    ns.defineClass<Point>({
      name: className,
      fields: [{ name: "x", initializer: "0" }],
    }) as unknown as PointClass;
  return { ns, Point: point("Point"), Other: point("Other") };
}

const addY = (className = "Point") =>
  patch(`add y to ${className}`).addField(className, "y", { default: 7 }).build();

/** `n` objects of `C` made in one job; those at `keep(i)` are returned, the rest are garbage at once. */
function oneJob(C: PointClass, n: number, keep: (i: number) => boolean): Point[] {
  const kept: Point[] = [];
  for (let i = 0; i < n; i++) {
    const p = new C({ x: i });
    if (keep(i)) kept.push(p);
  }
  return kept;
}

function refusal(run: () => unknown): MetamorphError {
  try {
    run();
  } catch (error) {
    if (error instanceof MetamorphError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("the adaptive finder without a heap", () => {
  test("a job past the cap records the cap and counts the rest: updates of that class are refused for good, naming why; other classes update", async () => {
    const { ns, Point, Other } = world("untracked-temporaries");
    await nextJob(); // the heap finder is found unavailable in a later turn
    oneJob(Point, CAP * 200, () => false);
    const stats = (ns.finder as unknown as { stats(): { references: number } }).stats();
    expect(stats.references).toBeLessThanOrEqual(CAP);
    await nextJob(); // a job of its own: the cap is per job
    const others = oneJob(Other, 10, () => true);
    const version = ns.version;
    const error = refusal(() => updateSync(ns, addY()));
    expect(error.code).toBe("MM_FINDER_UNAVAILABLE");
    expect(error.details).toEqual({ className: "Point", untracked: CAP * 199, cap: CAP });
    expect(error.message).toMatch(
      /instances of Point were made in tasks past the 256 one task may make while they are recorded .* reload it to apply the change/,
    );
    expect(ns.version).toBe(version);
    expect(() => ns.allInstances(Point as never)).toThrow(InstanceFinderUnavailableError);
    // Another class, every object of which was recorded: updated as before.
    expect(updateSync(ns, addY("Other")).instancesMigrated).toBe(10);
    expect(others.every((o) => o.y === 7)).toBe(true);
  });

  test("property: after any jobs, an update either migrates every live instance or, when some job went past the cap, is refused with nothing changed (seed 2026)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            n: fc.integer({ min: 0, max: CAP * 3 }),
            keepEvery: fc.integer({ min: 1, max: 400 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        async (jobs) => {
          const { ns, Point } = world("untracked-property");
          await nextJob();
          const kept: Point[] = [];
          for (const job of jobs) {
            kept.push(...oneJob(Point, job.n, (i) => i % job.keepEvery === 0));
            await nextJob();
          }
          gc(); // the objects not kept are gone: the registry's answer is exactly `kept`
          const before = kept.map((p) => JSON.stringify(p));
          const version = ns.version;
          if (jobs.some((job) => job.n > CAP)) {
            expect(() => updateSync(ns, addY())).toThrow(InstanceFinderUnavailableError);
            expect(kept.map((p) => JSON.stringify(p))).toEqual(before);
            expect(ns.version).toBe(version);
          } else {
            expect(updateSync(ns, addY()).instancesMigrated).toBe(kept.length);
            expect(kept.every((p) => p.y === 7)).toBe(true);
          }
        },
      ),
      { seed: 2026, numRuns: 25 },
    );
  }, 120_000);
  test("an async task awaiting between batches counts past the cap too: what WeakRefs keep is released only after the whole turn", async () => {
    const { ns, Point } = world("untracked-async");
    await nextJob();
    const task = async () => {
      for (let batch = 0; batch < 20; batch++) {
        oneJob(Point, CAP, () => false);
        await null; // a microtask: the same turn, the same kept objects
      }
    };
    await task();
    const stats = (ns.finder as unknown as { stats(): { references: number } }).stats();
    expect(stats.references).toBeLessThanOrEqual(CAP);
    expect(refusal(() => updateSync(ns, addY())).details).toMatchObject({ untracked: CAP * 19 });
  });

  test("objects of an unmanaged subclass made past the cap refuse an update of the base (they would stay unmigrated)", async () => {
    const { ns, Point } = world("untracked-unmanaged-subclass");
    await nextJob();
    class Special extends (Point as unknown as new (init?: { x: number }) => Point) {}
    const specials = oneJob(Special as unknown as PointClass, CAP + 5, (i) => i >= CAP);
    const error = refusal(() => updateSync(ns, addY()));
    expect(error.code).toBe("MM_FINDER_UNAVAILABLE");
    expect(error.details).toMatchObject({ className: "Point", untracked: 5 });
    expect(specials.every((s) => !("y" in s))).toBe(true);
  });

  test("an update that migrates nothing (methods only) applies after a burst, and returns its result (its warnings sample what was recorded)", async () => {
    const ns = new Namespace("untracked-methods-only", { switchToHeapAfter: SWITCH_AFTER });
    const Button = ns.registerClass(
      class Button {
        onClick = this.makeHandler();
        makeHandler() {
          return () => 1;
        }
      },
      { constructedOnlyThroughHandle: true },
    ) as unknown as new () => { onClick(): number };
    await nextJob();
    const first = new Button();
    for (let i = 0; i < CAP + 1; i++) new Button();
    await nextJob();
    const version = ns.version;
    const handler = patch("handler")
      .replaceMethod("Button", {
        key: "makeHandler",
        kind: "method",
        static: false,
        source: "makeHandler() { return () => 2; }",
      })
      .build();
    // The stale-function-field warning samples live Buttons after the commit: it must not refuse there.
    const result = updateSync(ns, handler);
    expect(result.instancesMigrated).toBe(0);
    expect(ns.version).toBe(version + 1);
    expect(new Button().onClick()).toBe(2);
    expect(first.onClick()).toBe(1);
  });

  test("a burst after a progressive commit: the migration completes (objects made after the commit need none); its rollback is refused, nothing changed", async () => {
    const { ns, Point } = world("untracked-after-commit");
    await nextJob();
    const old = oneJob(Point, 100, () => true);
    await nextJob();
    const result = updateSync(ns, addY(), { policy: "progressive" });
    const fresh = oneJob(Point, CAP + 3, (i) => i >= CAP); // made past the cap, on the new layout
    await result.completion;
    expect(result.pendingInstances()).toBe(0);
    expect(old.every((p) => p.y === 7)).toBe(true);
    expect(fresh.every((p) => p.y === 7)).toBe(true);
    const before = [...old, ...fresh].map((p) => JSON.stringify(p));
    const error = refusal(() => result.rollback());
    expect(error.code).toBe("MM_ROLLBACK");
    expect(error.message).toMatch(
      /cannot be rolled back: 3 instances of Point were made in tasks past the 256/,
    );
    expect([...old, ...fresh].map((p) => JSON.stringify(p))).toEqual(before);
    expect(result.state()).toBe("committed");
  });
});
