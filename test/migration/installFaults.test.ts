// Fault injection into the commit's install of class versions: whatever
// throws part-way through installing a version (a method, an accessor, a
// static forwarder, a prototype link, a lazy guard), the commit's undo puts
// back every prototype, constructor and instance exactly. The fault is a
// throw from the k-th call of Object.defineProperty, Object.setPrototypeOf,
// Reflect.defineProperty or Reflect.deleteProperty made inside the commit
// (k drawn over the calls a fault-free run of the same update makes), over
// random package upgrades: methods kept, changed, removed and added, in a
// random order with a non-configurable member among them (kept: the same
// source), accessors, statics, a subclass, a new field, each policy.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MetamorphError, Namespace, type Policy, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

const fault = { armed: false, calls: 0, throwAt: -1 };
const originals = {
  defineProperty: Object.defineProperty,
  setPrototypeOf: Object.setPrototypeOf,
  reflectDefine: Reflect.defineProperty,
  deleteProperty: Reflect.deleteProperty,
};

function tick(): void {
  if (!fault.armed) return;
  if (fault.calls++ === fault.throwAt) throw new Error(`injected fault at call ${fault.throwAt}`);
}

beforeAll(() => {
  Object.defineProperty = function (
    this: unknown,
    ...args: Parameters<typeof Object.defineProperty>
  ) {
    tick();
    return originals.defineProperty(...args);
  } as typeof Object.defineProperty;
  Object.setPrototypeOf = (o: unknown, p: object | null) => {
    tick();
    return originals.setPrototypeOf(o, p);
  };
  Reflect.defineProperty = (...args: Parameters<typeof Reflect.defineProperty>) => {
    tick();
    return originals.reflectDefine(...args);
  };
  Reflect.deleteProperty = (...args: Parameters<typeof Reflect.deleteProperty>) => {
    tick();
    return originals.deleteProperty(...args);
  };
});

afterAll(() => {
  Object.defineProperty = originals.defineProperty;
  Object.setPrototypeOf = originals.setPrototypeOf;
  Reflect.defineProperty = originals.reflectDefine;
  Reflect.deleteProperty = originals.deleteProperty;
});

interface Member {
  readonly name: string;
  readonly kind: "method" | "get";
  /** In release 1, in release 2 (with this body), or not. */
  readonly v1: boolean;
  readonly v2: "same" | "changed" | "absent";
}

interface Scenario {
  readonly members: readonly Member[];
  /** Where the non-configurable member sits among the others (-1: none). */
  readonly stuckAt: number;
  readonly subclass: boolean;
  readonly newField: boolean;
  readonly policy: Policy;
  readonly fraction: number;
}

const memberArb = (i: number) =>
  fc.record({
    name: fc.constant(`m${i}`),
    kind: fc.constantFrom("method" as const, "get" as const),
    v1: fc.boolean(),
    v2: fc.constantFrom("same" as const, "changed" as const, "absent" as const),
  });

/**
 * A method of release 1 in front of the non-configurable member that
 * release 2 removes comes back after it on undo: a non-configurable
 * property cannot move (docs/design.md; pinned in
 * nonConfigurableMembers.test.ts). Such scenarios keep that method.
 */
function restorableOrder(s: Scenario): Scenario {
  const before = s.members.filter((m) => m.v1).slice(0, Math.max(s.stuckAt, 0));
  const members = s.members.map((m) =>
    before.includes(m) && m.v2 === "absent" ? { ...m, v2: "changed" as const } : m,
  );
  return { ...s, members };
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    members: fc
      .integer({ min: 1, max: 5 })
      .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => memberArb(i)))),
    stuckAt: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 5 })),
    subclass: fc.boolean(),
    newField: fc.boolean(),
    policy: fc.constantFrom("eager" as const, "lazy" as const, "progressive" as const),
    fraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  })
  .map(restorableOrder);

/** The source of one release of the package (its own evaluation, its own scope). */
function releaseSource(s: Scenario, release: 1 | 2): string {
  const defs: string[] = [];
  const members = s.members.filter((m) => (release === 1 ? m.v1 : m.v2 !== "absent"));
  const body = (m: Member) =>
    release === 2 && m.v2 === "changed" ? `return tag + "${m.name}*";` : `return "${m.name}";`;
  members.forEach((m, i) => {
    if (i === s.stuckAt) defs.push(stuck());
    const d =
      m.kind === "method"
        ? `{ value: ({ ${m.name}() { ${body(m)} } }).${m.name}, writable: true, configurable: true }`
        : `{ get: Object.getOwnPropertyDescriptor({ get ${m.name}() { ${body(m)} } }, "${m.name}").get, configurable: true }`;
    defs.push(`Object.defineProperty(Logger.prototype, "${m.name}", ${d});`);
  });
  if (s.stuckAt >= members.length) defs.push(stuck());
  const field = release === 2 && s.newField ? " this.extra = 1;" : "";
  return `class Logger {
      constructor(level) { this.level = level;${field} }
      log(m) { return tag + m; }
    }
    ${defs.join("\n    ")}
    Logger.VERSION = tag;
    Object.defineProperty(Logger, "BUILD", { value: tag, configurable: false });
    class Child extends Logger { child() { return tag + "child"; } }
    return { Logger, Child };`;
}

function stuck(): string {
  return `Object.defineProperty(Logger.prototype, "transports", { configurable: false, enumerable: true, get() { return this.level; } });`;
}

type Release = { Logger: new (level: string) => object; Child: new (level: string) => object };

function release(s: Scenario, n: 1 | 2): Release {
  return new Function("tag", releaseSource(s, n))(`v${n}`) as Release;
}

function worldOf(s: Scenario) {
  const v1 = release(s, 1);
  const v2 = release(s, 2);
  const ns = new Namespace("deps");
  const options = { constructedOnlyThroughHandle: true };
  const Logger = ns.registerClass(v1.Logger, options) as unknown as new (l: string) => object;
  const objects: object[] = [new Logger("a"), new Logger("b")];
  if (s.subclass) {
    const Child = ns.registerClass(v1.Child, options) as unknown as new (l: string) => object;
    objects.push(new Child("c"));
  }
  const p = patch("upgrade").replaceImplementation("Logger", v2.Logger);
  const built = (s.subclass ? p.replaceImplementation("Child", v2.Child) : p).build();
  const snapshot = () =>
    deepSnapshot({ ns, objects, extra: [v1.Logger, v1.Child, v2.Logger, v2.Child] });
  const run = () =>
    updateSync(ns, built, {
      policy: s.policy,
      onEvent: (e) => {
        if (e.phase !== "commit") return;
        fault.armed = e.status === "start";
      },
    });
  return { snapshot, run };
}

/** Runs `run` with the fault at call `throwAt` of the commit (-1: none); returns the calls made and what it threw. */
function withFault(throwAt: number, run: () => unknown): { calls: number; error?: unknown } {
  fault.calls = 0;
  fault.throwAt = throwAt;
  try {
    run();
    return { calls: fault.calls };
  } catch (error) {
    return { calls: fault.calls, error };
  } finally {
    fault.armed = false;
  }
}

describe("fault injection into the install of class versions", () => {
  test("property: a throw at any step of the commit leaves every prototype, constructor and instance as it was", () => {
    let faulted = 0;
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const dry = worldOf(s);
        const clean = withFault(-1, dry.run);
        const after = clean.error === undefined ? dry.snapshot() : undefined;
        const w = worldOf(s);
        const before = w.snapshot();
        if (clean.calls === 0) return; // refused before the commit
        const throwAt = Math.floor(s.fraction * clean.calls);
        const { error } = withFault(throwAt, w.run);
        if (error === undefined) {
          // Swallowed on the way (a step that tolerates the failure): the same result.
          expect(snapshotDifference(after!, w.snapshot())).toBeUndefined();
          return;
        }
        faulted++;
        expect(error).toBeInstanceOf(MetamorphError);
        expect(String((error as Error).message)).toContain("injected fault");
        expect(snapshotDifference(before, w.snapshot())).toBeUndefined();
      }),
      { seed: 20240611, numRuns: 250 },
    );
    expect(faulted).toBeGreaterThan(100);
  });
});

describe("a prototype that will not take its new superclass", () => {
  test("moving a class whose prototype is not extensible under another superclass fails in the commit and leaves every link as it was", () => {
    const ns = new Namespace("app");
    const A = ns.defineClass({ name: "A", fields: [{ name: "a", initializer: "1" }] });
    const B = ns.defineClass({ name: "B", fields: [], methods: { g: "g() { return 2; }" } });
    const C = ns.defineClass({
      name: "C",
      superclass: "A",
      fields: [{ name: "c", initializer: "3" }],
    });
    Object.preventExtensions(C.prototype);
    const objects = [new A(), new B(), new C()];
    const before = deepSnapshot({ ns, objects });
    expect(() => updateSync(ns, patch("p").changeSuperclass("C", "B").build())).toThrow(
      /was undone: .*not extensible/,
    );
    // The handle and its version constructor used to stay under B.
    expect(snapshotDifference(before, deepSnapshot({ ns, objects }))).toBeUndefined();
  });
});
