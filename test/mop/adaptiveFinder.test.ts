/**
 * The adaptive finder (src/mop/instances/adaptiveFinder.ts): the registry
 * until a job makes `switchAfter` managed objects, then the heap query — and
 * whatever the moment of the switch, every live instance is found, once.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  type AdaptiveFinder,
  createAdaptiveFinder,
  SWITCH_AFTER,
  TURN_FACTOR,
} from "../../src/mop/instances/adaptiveFinder.js";
import { InstanceFinderUnavailableError } from "../../src/errors.js";
import { createHeapFinder } from "../../src/mop/instances/heapFinder.js";
import { Namespace, patch, update } from "../../src/index.js";

const nextJob = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A class of each test's own, so that no other test's objects are found. */
function pointClass() {
  return class Point {
    constructor(readonly x: number) {}
  };
}

describe("createAdaptiveFinder", () => {
  test("stays the registry while no job makes switchAfter objects, and counts per job", async () => {
    const Point = pointClass();
    const finder = createAdaptiveFinder({ switchAfter: 10 });
    finder.enable(Point.prototype);
    const kept: object[] = [];
    for (let job = 0; job < 5; job++) {
      for (let i = 0; i < 9; i++) {
        const p = new Point(i);
        finder.recordConstructed(p);
        kept.push(p);
      }
      await nextJob();
    }
    expect(finder.kind).toBe("registry");
    expect(finder.stats().references).toBe(45);
    expect(finder.find(Point.prototype)).toHaveLength(45);
  });

  test("switches to the heap at switchAfter constructions in one job, calls its listeners once, then records nothing", () => {
    const Point = pointClass();
    const finder = createAdaptiveFinder({ switchAfter: 10 });
    finder.enable(Point.prototype);
    let switched = 0;
    finder.onSwitch(() => switched++);
    const kept = Array.from({ length: 25 }, (_, i) => {
      const p = new Point(i);
      finder.recordConstructed(p);
      return p;
    });
    const unrecorded = new Point(-1); // made without the finder: the heap sees it anyway
    expect(finder.kind).toBe("heap");
    expect(switched).toBe(1);
    // The run that switched is not recorded (no WeakRef paid for a temporary): the heap finds it.
    expect(finder.stats().references).toBe(0);
    const found = finder.find(Point.prototype);
    expect(new Set(found)).toEqual(new Set([...kept, unrecorded]));
    expect(finder.findEach([Point.prototype]).get(Point.prototype)).toHaveLength(26);
  });

  test("objects of the run still going are found by any read of the registry in that run, each once", () => {
    const Point = pointClass();
    const finder = createAdaptiveFinder({ switchAfter: 10 });
    finder.enable(Point.prototype);
    const made = Array.from({ length: 5 }, (_, i) => {
      const p = new Point(i);
      finder.recordConstructed(p);
      return p;
    });
    expect(finder.find(Point.prototype)).toEqual(made);
    const more = new Point(5);
    finder.recordConstructed(more);
    expect(finder.snapshot(Point.prototype).map((ref) => ref.deref())).toEqual([...made, more]);
    expect(finder.stats().references).toBe(6);
    expect(finder.kind).toBe("registry");
  });

  test("many small runs in one turn of the event loop switch it only past TURN_FACTOR × switchAfter together", async () => {
    const Point = pointClass();
    const run = async (finder: ReturnType<typeof createAdaptiveFinder>, runs: number) => {
      for (let r = 0; r < runs; r++) {
        for (let i = 0; i < 9; i++) finder.recordConstructed(new Point(i));
        await Promise.resolve(); // the next microtask: a new synchronous run, the same turn
      }
    };
    const below = createAdaptiveFinder({ switchAfter: 10 });
    below.enable(Point.prototype);
    await run(below, Math.floor((10 * TURN_FACTOR - 1) / 9));
    expect(below.kind).toBe("registry");
    const above = createAdaptiveFinder({ switchAfter: 10 });
    above.enable(Point.prototype);
    await run(above, Math.ceil((10 * TURN_FACTOR) / 9));
    expect(above.kind).toBe("heap");
  });

  test("jobs spread over turns switch it once switchPerSecond of them fall within one second of its clock", async () => {
    const Point = pointClass();
    // Jobs of 9 (never a full job of 10), each in a turn of its own, `step` ms apart.
    const spread = async (step: number, jobs: number) => {
      let clock = 0;
      const finder = createAdaptiveFinder({
        switchAfter: 10,
        switchPerSecond: 30,
        now: () => clock,
      });
      finder.enable(Point.prototype);
      const kept: object[] = [];
      for (let job = 0; job < jobs; job++) {
        for (let i = 0; i < 9; i++) {
          const p = new Point(i);
          finder.recordConstructed(p);
          kept.push(p);
        }
        await nextJob();
        clock += step;
      }
      return { finder, kept };
    };
    // 400 ms apart: at most 3 jobs (27) in a second: the registry, every object recorded.
    const slow = await spread(400, 12);
    expect(slow.finder.kind).toBe("registry");
    expect(slow.finder.find(Point.prototype)).toHaveLength(slow.kept.length);
    // 100 ms apart: the 4th job crosses 30 within the second, and the heap finds everything.
    const fast = await spread(100, 5);
    expect(fast.finder.kind).toBe("heap");
    expect(new Set(fast.finder.find(Point.prototype))).toEqual(
      new Set([...slow.kept, ...fast.kept]),
    );
  });

  test("stays the registry, recording, where the heap cannot be queried", () => {
    const Point = pointClass();
    const finder = createAdaptiveFinder({
      switchAfter: 3,
      heap: () => {
        throw new InstanceFinderUnavailableError("no inspector here");
      },
    });
    finder.enable(Point.prototype);
    const kept = Array.from({ length: 8 }, (_, i) => {
      const p = new Point(i);
      finder.recordConstructed(p);
      return p;
    });
    expect(finder.kind).toBe("registry");
    expect(new Set(finder.find(Point.prototype))).toEqual(new Set(kept));
  });
});

describe("a namespace's default finder", () => {
  test("is adaptive: a job making SWITCH_AFTER objects switches it to the heap, and an update then migrates every instance", async () => {
    const ns = new Namespace("adaptive");
    const Cell = ns.defineClass<{ v: number }>({
      name: "Cell",
      fields: [{ name: "v", initializer: "0" }],
      methods: {},
    });
    const early = Array.from({ length: 10 }, (_, v) => new Cell({ v }));
    await nextJob();
    expect(ns.finder.kind).toBe("registry");
    const bulk = Array.from({ length: SWITCH_AFTER + 10 }, (_, v) => new Cell({ v }));
    expect(ns.finder.kind).toBe("heap");
    // Nothing is recorded after the switch.
    const recorded = (ns.finder as AdaptiveFinder).stats().references;
    const after = Array.from({ length: 100 }, (_, v) => new Cell({ v }));
    expect((ns.finder as AdaptiveFinder).stats().references).toBe(recorded);
    bulk.push(...after);
    const result = await update(ns, patch("tag").addField("Cell", "tag", { default: 1 }).build());
    expect(result.instancesMigrated).toBe(early.length + bulk.length);
    for (const cell of [...early, ...bulk])
      expect((cell as unknown as { tag: number }).tag).toBe(1);
  });

  test("property: whenever the switch happens, an update migrates exactly the live instances (seed 2026)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(40), fc.boolean()), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 2, max: 60 }),
        async (jobs, switchAfter) => {
          const finder = createAdaptiveFinder({ switchAfter });
          const ns = new Namespace("adaptive-property", { instanceFinder: "registry" });
          const Cell = ns.defineClass<{ v: number }>({
            name: "Cell",
            fields: [{ name: "v", initializer: "0" }],
            methods: {},
          });
          const prototype = Cell.prototype;
          finder.enable(prototype);
          const live: object[] = [];
          for (const [count, query] of jobs) {
            for (let v = 0; v < count; v++) {
              const cell = new Cell({ v });
              finder.recordConstructed(cell);
              live.push(cell);
            }
            expect(finder.kind).toBe(count >= switchAfter ? "heap" : finder.kind);
            if (query) {
              const found = finder.find(prototype);
              expect(found).toHaveLength(live.length);
              expect(new Set(found)).toEqual(new Set(live));
              // Whatever answered, the registry is complete again and answers from now on.
              expect(finder.kind).toBe("registry");
              expect(finder.stats().references).toBe(live.length);
            }
            await nextJob();
          }
          const found = finder.find(prototype);
          expect(found).toHaveLength(live.length);
          expect(new Set(found)).toEqual(new Set(live));
          expect(finder.kind).toBe("registry");
        },
      ),
      { seed: 2026, numRuns: 25 },
    );
  }, 60_000);
});

describe("the adaptive finder's heap finder", () => {
  test("is made in a later turn, off the program's path, and the switch uses it rather than making another", async () => {
    const Point = pointClass();
    let made = 0;
    const finder = createAdaptiveFinder({
      switchAfter: 10,
      heap: () => {
        made++;
        return createHeapFinder();
      },
    });
    finder.enable(Point.prototype);
    expect(made).toBe(0);
    await nextJob();
    expect(made).toBe(1);
    const kept = Array.from({ length: 12 }, (_, i) => {
      const p = new Point(i);
      finder.recordConstructed(p);
      return p;
    });
    expect(finder.kind).toBe("heap");
    expect(made).toBe(1);
    expect(new Set(finder.find(Point.prototype))).toEqual(new Set(kept));
  });

  test("when it cannot be made ahead, the finder records every object in the registry from then on", async () => {
    const Point = pointClass();
    let tried = 0;
    const finder = createAdaptiveFinder({
      switchAfter: 3,
      heap: () => {
        tried++;
        throw new InstanceFinderUnavailableError("no inspector here");
      },
    });
    finder.enable(Point.prototype);
    const before = new Point(-1);
    finder.recordConstructed(before);
    await nextJob();
    expect(tried).toBe(1);
    // Recorded as made: no run to flush, no later attempt at a switch.
    const kept = Array.from({ length: 8 }, (_, i) => {
      const p = new Point(i);
      finder.recordConstructed(p);
      return p;
    });
    expect(finder.stats().references).toBe(9);
    expect(finder.kind).toBe("registry");
    expect(tried).toBe(1);
    expect(new Set(finder.find(Point.prototype))).toEqual(new Set([before, ...kept]));
  });
});

describe("the adaptive finder's way back to the registry", () => {
  test("after a burst, the next query re-seeds the registry; later objects are recorded again, and the next burst switches again", async () => {
    const ns = new Namespace("way-back", { switchToHeapAfter: 100 });
    const Cell = ns.defineClass<{ v: number }>({
      name: "Cell",
      fields: [{ name: "v", initializer: "0" }],
      methods: {},
    });
    const finder = ns.finder as AdaptiveFinder;
    const cells = Array.from({ length: 150 }, (_, v) => new Cell({ v }));
    expect(finder.kind).toBe("heap");
    await nextJob();
    const first = await update(ns, patch("a").addField("Cell", "a", { default: 1 }).build());
    expect(first.instancesMigrated).toBe(150);
    expect(finder.kind).toBe("registry");
    expect(finder.stats().references).toBe(150);
    await nextJob();
    for (let v = 0; v < 10; v++) cells.push(new Cell({ v }));
    await nextJob();
    // Recorded as made: the observers are back on the class.
    expect(finder.stats().references).toBe(160);
    const second = await update(ns, patch("b").addField("Cell", "b", { default: 2 }).build());
    expect(second.instancesMigrated).toBe(160);
    for (const cell of cells) expect(cell).toMatchObject({ a: 1, b: 2 });
    for (let v = 0; v < 120; v++) cells.push(new Cell({ v }));
    expect(finder.kind).toBe("heap");
    expect(ns.allInstances(Cell)).toHaveLength(280);
    expect(finder.kind).toBe("registry");
  });

  test("a class the registry cannot see keeps the heap for good", () => {
    const ns = new Namespace("for-good");
    class Money {
      constructor(readonly cents: number) {}
      plus(o: Money) {
        return new Money(this.cents + o.cents);
      }
    }
    const Handle = ns.registerClass(Money);
    const a = new Money(1);
    const b = new Money(2);
    const made = [a, b, a.plus(b)];
    expect(ns.finder.kind).toBe("heap");
    for (let i = 0; i < 2; i++) {
      // Objects made by the class's own method, never through the handle: only the heap sees them.
      expect(new Set(ns.allInstances(Handle))).toEqual(new Set(made));
      expect(ns.finder.kind).toBe("heap");
    }
  });
});
