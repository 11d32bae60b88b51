import { createRequire } from "node:module";
import fc from "fast-check";
import { afterEach, describe, expect, test, vi } from "vitest";
import { InstanceFinderUnavailableError } from "../../src/errors.js";
import {
  createHeapFinder,
  createRegistryFinder,
  type InstanceFinder,
  type RegistryFinder,
} from "../../src/mop/instanceFinding.js";
import { collectGarbage } from "../support/v8.js";

type Ctor = new () => object;

interface InspectorForTests {
  Session: new () => {
    connect(): void;
    disconnect(): void;
    post(method: string, params: object, callback: (error: Error | null, result?: object) => void): void;
  };
  console: { log(...values: unknown[]): void };
}
const inspector = createRequire(import.meta.url)("node:inspector") as InspectorForTests;

const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * WeakRef targets (and everything deref'd) stay alive until the current job
 * ends, so dead objects can only be collected after an await.
 */
async function settle(): Promise<void> {
  await tick();
  collectGarbage();
  await tick();
  collectGarbage();
}

function hierarchy() {
  class A {
    constructor(readonly n = 0) {}
  }
  class B extends A {}
  class C extends B {}
  return { A, B, C };
}

function enableAll(finder: InstanceFinder, ...classes: Ctor[]): void {
  for (const c of classes) finder.enable(c.prototype as object);
}

function make<T extends object>(finder: InstanceFinder, ctor: new () => T, count: number): T[] {
  const made: T[] = [];
  for (let i = 0; i < count; i++) {
    const object = new ctor();
    finder.record(object);
    made.push(object);
  }
  return made;
}

/** Order-free comparison that still fails on duplicates. */
function expectSameObjects(actual: readonly object[], expected: readonly object[]): void {
  expect(new Set(actual).size).toBe(actual.length);
  expect(actual.length).toBe(expected.length);
  const wanted = new Set(expected);
  for (const object of actual) expect(wanted.has(object)).toBe(true);
}

const heapFinder = createHeapFinder();
const backends: [string, () => InstanceFinder][] = [
  ["registry", createRegistryFinder],
  ["heap", () => heapFinder],
];

describe.each(backends)("%s finder", (kind, createFinder) => {
  test("reports its kind", () => {
    expect(createFinder().kind).toBe(kind);
  });

  test("finds exact instances by default and the whole subtree with includeSubclasses", () => {
    const finder = createFinder();
    const { A, B, C } = hierarchy();
    enableAll(finder, A, B, C);
    const as = make(finder, A, 2);
    const bs = make(finder, B, 3);
    const cs = make(finder, C, 4);

    expectSameObjects(finder.find(A.prototype), as);
    expectSameObjects(finder.find(B.prototype), bs);
    expectSameObjects(finder.find(C.prototype), cs);
    expectSameObjects(finder.find(A.prototype, { includeSubclasses: true }), [...as, ...bs, ...cs]);
    expectSameObjects(finder.find(B.prototype, { includeSubclasses: true }), [...bs, ...cs]);
    expectSameObjects(finder.find(C.prototype, { includeSubclasses: true }), cs);
    expectSameObjects(finder.find(C.prototype, { includeSubclasses: false }), cs);
  });

  test("never reports prototype objects, even hand-made ones", () => {
    const finder = createFinder();
    const { A, B, C } = hierarchy();
    enableAll(finder, A, B, C);
    const a = make(finder, A, 1);
    // A prototype object built by hand: its own constructor's .prototype is itself.
    const handMade = Object.create(A.prototype) as object;
    function HandMade() {}
    HandMade.prototype = handMade;
    Object.defineProperty(handMade, "constructor", { value: HandMade });
    // An instance that merely has an own `constructor` is still an instance.
    const lookalike = Object.create(A.prototype) as { constructor: unknown };
    lookalike.constructor = A;
    // The registry only sees what is recorded, so record the prototypes too:
    // the filter, not their absence, must keep them out.
    for (const o of [B.prototype, C.prototype, handMade, lookalike]) finder.record(o);

    expectSameObjects(finder.find(A.prototype), [...a, lookalike]);
    expectSameObjects(finder.find(A.prototype, { includeSubclasses: true }), [...a, lookalike]);
    expectSameObjects(finder.find(B.prototype, { includeSubclasses: true }), []);
  });

  test("never reports an object twice, however often it is recorded", () => {
    const finder = createFinder();
    const { A, B } = hierarchy();
    enableAll(finder, A, B);
    const [b] = make(finder, B, 1);
    finder.record(b!);
    finder.record(b!);

    expectSameObjects(finder.find(B.prototype), [b!]);
    expectSameObjects(finder.find(A.prototype, { includeSubclasses: true }), [b!]);
    // A second query must not resurrect duplicates the first one dropped.
    expectSameObjects(finder.find(B.prototype), [b!]);
  });

  test("finds a re-recorded object under its new prototype only", () => {
    const finder = createFinder();
    const { A, B, C } = hierarchy();
    enableAll(finder, A, B, C);
    const [b, stays] = make(finder, B, 2);

    Object.setPrototypeOf(b!, C.prototype);
    finder.record(b!);
    expectSameObjects(finder.find(B.prototype), [stays!]);
    expectSameObjects(finder.find(C.prototype), [b!]);
    expectSameObjects(finder.find(B.prototype, { includeSubclasses: true }), [b!, stays!]);
    expectSameObjects(finder.find(A.prototype, { includeSubclasses: true }), [b!, stays!]);

    // A rollback moves it back and records it again: still exactly once.
    Object.setPrototypeOf(b!, B.prototype);
    finder.record(b!);
    expectSameObjects(finder.find(B.prototype), [b!, stays!]);
    expectSameObjects(finder.find(C.prototype), []);
    expectSameObjects(finder.find(A.prototype, { includeSubclasses: true }), [b!, stays!]);
  });

  test("an object moved off the hierarchy is no longer reported", () => {
    const finder = createFinder();
    const { A, B } = hierarchy();
    enableAll(finder, A, B);
    const [b, stays] = make(finder, B, 2);
    Object.setPrototypeOf(b!, Object.prototype);
    finder.record(b!);
    expectSameObjects(finder.find(B.prototype), [stays!]);
    expectSameObjects(finder.find(A.prototype, { includeSubclasses: true }), [stays!]);
  });

  test("never reports dead objects", async () => {
    const finder = createFinder();
    const { A, B } = hierarchy();
    enableAll(finder, A, B);
    // Built in a separate function so no local of this frame keeps the dropped ones.
    const build = () => {
      const as = make(finder, A, 1000);
      const bs = make(finder, B, 1000);
      return [...as.slice(0, 10), ...bs.slice(0, 5)];
    };
    const kept = build();
    expect(finder.find(A.prototype, { includeSubclasses: true }).length).toBe(2000);

    await settle();
    expectSameObjects(finder.find(A.prototype), kept.slice(0, 10));
    expectSameObjects(finder.find(B.prototype), kept.slice(10));
    expectSameObjects(finder.find(A.prototype, { includeSubclasses: true }), kept);
  });
});

describe("registry finder", () => {
  test("ignores prototypes that were not enabled", () => {
    const finder = createRegistryFinder();
    const { A, B } = hierarchy();
    class D {}
    finder.enable(A.prototype);
    const as = make(finder, A, 3);
    make(finder, B, 4);
    make(finder, D, 5);

    expect(finder.stats().references).toBe(3);
    expect(finder.find(D.prototype)).toEqual([]);
    expect(finder.find(B.prototype)).toEqual([]);
    expectSameObjects(finder.find(A.prototype, { includeSubclasses: true }), as);
  });

  test("enabling the same prototype twice keeps one list", () => {
    const finder = createRegistryFinder();
    const { A } = hierarchy();
    finder.enable(A.prototype);
    const as = make(finder, A, 3);
    finder.enable(A.prototype);
    expect(finder.stats()).toMatchObject({ prototypes: 1, references: 3 });
    expectSameObjects(finder.find(A.prototype), as);
  });

  test("works unbound, as class handles hold `record`", () => {
    const finder = createRegistryFinder();
    const { A } = hierarchy();
    const { enable, record, find } = finder;
    enable(A.prototype);
    const a = new A();
    record(a);
    expect(find(A.prototype)).toEqual([a]);
  });

  test("compacts its lists when many recorded objects die, without a query", async () => {
    const finder = createRegistryFinder();
    const { A } = hierarchy();
    finder.enable(A.prototype);
    const build = () => make(finder, A, 10_000).slice(0, 100);
    const kept = build();
    expect(finder.stats()).toMatchObject({ references: 10_000, compactions: 0 });

    // Finalization callbacks run in their own task some time after the GC.
    const t0 = performance.now();
    const plain = new FinalizationRegistry<string>((x) => console.error("PLAIN FR", x, performance.now() - t0));
    (() => plain.register({}, "sentinel"))();
    for (let i = 0; i < 300 && finder.stats().compactions === 0; i++) {
      await settle();
      await tick(5);
    }
    console.error("END", finder.stats(), performance.now() - t0);
    expect(finder.stats().compactions).toBeGreaterThan(0);
    expect(finder.stats().references).toBe(100);
    expectSameObjects(finder.find(A.prototype), kept);
  });

  test("a query compacts the lists it walks", async () => {
    const finder = createRegistryFinder();
    const { A, B } = hierarchy();
    enableAll(finder, A, B);
    const build = () => [...make(finder, A, 50).slice(0, 5), ...make(finder, B, 50).slice(0, 5)];
    const kept = build();
    await settle();
    expect(finder.find(A.prototype, { includeSubclasses: true }).length).toBe(10);
    expect(finder.stats().references).toBe(10);
    expect(kept.length).toBe(10);
  });

  test("forgets a prototype once its class is gone", async () => {
    const finder = createRegistryFinder();
    const { A } = hierarchy();
    finder.enable(A.prototype);
    const enableTemporary = () => {
      class Temporary {}
      finder.enable(Temporary.prototype);
      make(finder, Temporary, 3);
    };
    enableTemporary();
    expect(finder.stats().prototypes).toBe(2);
    await settle();
    expect(finder.stats()).toMatchObject({ prototypes: 1, references: 0 });
    expect(finder.find(Object.prototype, { includeSubclasses: true })).toEqual([]);
  });
});

describe("heap finder", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  test("an in-process inspector session answers inside post()", () => {
    const session = new inspector.Session();
    session.connect();
    try {
      let answered = false;
      session.post("Runtime.evaluate", { expression: "6 * 7" }, (error, result) => {
        expect(error).toBeNull();
        expect(result).toMatchObject({ result: { value: 42 } });
        answered = true;
      });
      expect(answered).toBe(true);
    } finally {
      session.disconnect();
    }
  });

  test("find is synchronous and sees objects made in the same job", () => {
    const { A } = hierarchy();
    const a = new A();
    const found = heapFinder.find(A.prototype);
    expect(Array.isArray(found)).toBe(true);
    expect(found).toEqual([a]);
    const b = new A();
    expectSameObjects(heapFinder.find(A.prototype), [a, b]);
  });

  test("the query collects garbage itself: unreferenced objects are not reported without a gc", () => {
    const { A } = hierarchy();
    const kept = new A();
    for (let i = 0; i < 1000; i++) new A(i);
    expect(heapFinder.find(A.prototype)).toEqual([kept]);
  });

  test("does not keep console arguments alive between queries", async () => {
    const { A } = hierarchy();
    const logged = () => {
      // inspector.console is V8's own console, which feeds the inspector's history.
      inspector.console.log(new A(1));
    };
    // Control: while a session is connected, V8 keeps logged objects alive.
    const other = new inspector.Session();
    other.connect();
    try {
      logged();
      await settle();
      expect(heapFinder.find(A.prototype)).toHaveLength(1);
      other.post("Runtime.discardConsoleEntries", {}, () => {});
    } finally {
      other.disconnect();
    }
    await settle();
    expect(heapFinder.find(A.prototype)).toEqual([]);
    // The finder's own session is connected only inside find().
    logged();
    await settle();
    expect(heapFinder.find(A.prototype)).toEqual([]);
  });

  test("leaves no temporary global behind", () => {
    const { A } = hierarchy();
    const before = Reflect.ownKeys(globalThis).length;
    heapFinder.find(A.prototype);
    expect(Reflect.ownKeys(globalThis).length).toBe(before);
    expect(Reflect.ownKeys(globalThis)).not.toContain(Symbol.for("metamorph.instanceFinding.heap"));
  });

  test("is unavailable when node:inspector cannot be loaded", () => {
    vi.spyOn(process, "getBuiltinModule").mockImplementation(() => {
      throw new Error("ERR_INSPECTOR_NOT_AVAILABLE");
    });
    expect(() => createHeapFinder()).toThrow(InstanceFinderUnavailableError);
    try {
      createHeapFinder();
    } catch (error) {
      expect((error as InstanceFinderUnavailableError).code).toBe("MM_FINDER_UNAVAILABLE");
    }
  });

  test("refuses an inspector that answers asynchronously", () => {
    class LateSession {
      connect(): void {}
      disconnect(): void {}
      post(_method: string, _params: object, callback: (error: null, result: object) => void) {
        setTimeout(() => callback(null, {}), 0);
      }
    }
    vi.spyOn(process, "getBuiltinModule").mockReturnValue({ Session: LateSession });
    expect(() => createHeapFinder()).toThrow(/asynchronously/);
  });
});

describe("both finders agree", () => {
  interface World {
    /** parents[i] is the index of class i's superclass, or -1 for a root. */
    readonly parents: readonly number[];
    /** Per class, one flag per instance: kept alive or dropped. */
    readonly instances: readonly (readonly boolean[])[];
    /** Kept instance (by position among kept ones) moved to class index, or -1 for Object.prototype. */
    readonly moves: readonly { readonly object: number; readonly to: number }[];
  }

  const world: fc.Arbitrary<World> = fc
    .integer({ min: 1, max: 4 })
    .chain((classCount) =>
      fc.record({
        parents: fc.tuple(
          ...Array.from({ length: classCount }, (_, i) => fc.integer({ min: -1, max: i - 1 })),
        ),
        instances: fc.array(fc.array(fc.boolean(), { maxLength: 12 }), {
          minLength: classCount,
          maxLength: classCount,
        }),
        moves: fc.array(
          fc.record({ object: fc.nat(40), to: fc.integer({ min: -1, max: classCount - 1 }) }),
          { maxLength: 4 },
        ),
      }),
    );

  function truth(kept: readonly object[], prototype: object, includeSubclasses: boolean) {
    return kept.filter((o) =>
      includeSubclasses ? prototype.isPrototypeOf(o) : Object.getPrototypeOf(o) === prototype,
    );
  }

  test("for random hierarchies, instance counts, moves and deaths", async () => {
    await fc.assert(
      fc.asyncProperty(world, async ({ parents, instances, moves }) => {
        const registry = createRegistryFinder();
        const classes: Ctor[] = [];
        for (const parent of parents) {
          const Base: Ctor = parent === -1 ? class {} : classes[parent]!;
          classes.push(class extends Base {});
        }
        enableAll(registry, ...classes);
        const build = (): object[] => {
          const kept: object[] = [];
          instances.forEach((flags, c) => {
            for (const keep of flags) {
              const object = new classes[c]!();
              registry.record(object);
              if (keep) kept.push(object);
            }
          });
          return kept;
        };
        const kept = build();
        for (const { object, to } of moves) {
          if (kept.length === 0) break;
          const target = kept[object % kept.length]!;
          Object.setPrototypeOf(target, to === -1 ? Object.prototype : classes[to]!.prototype);
          registry.record(target);
        }
        await settle();
        for (const c of classes) {
          const prototype = c.prototype as object;
          for (const includeSubclasses of [false, true]) {
            const expected = truth(kept, prototype, includeSubclasses);
            expectSameObjects(registry.find(prototype, { includeSubclasses }), expected);
            expectSameObjects(heapFinder.find(prototype, { includeSubclasses }), expected);
          }
        }
      }),
      { seed: 42, numRuns: 50 },
    );
  });
});

