/**
 * A lazy or progressive update with the heap finder queried nothing before
 * its commit, so that it committed what an eager update refuses
 * (MM_UNMANAGED_CLASS: live objects of a subclass the namespace does not
 * manage), and the first call reaching such an object rolled it back in the
 * middle of new code: the new `send` had written to a shared array, the
 * receiver never got its value (review advZ27 #5). Now the update is
 * refused before its commit, as eager refuses it: the handle's constructor
 * records the subclasses it meets as new.target (the program's `class
 * Special extends Handle`), and a pause that queries the heap anyway (a
 * package's next release) looks below the migrating classes in the same
 * walk (a package's `Vector extends Base`, built by the original class).
 */
import fc from "fast-check";
import { afterAll, expect, test } from "vitest";
import { Namespace, patch, update, updateSync } from "../../src/index.js";
import type { Patch } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

interface Node {
  o: number;
  got: string[];
  send(other: Node): void;
  receive(value: string): void;
}
type Policy = "eager" | "lazy" | "progressive";
type Finder = "heap" | "adaptive" | "registry";
/** Where the subclass is declared: of the handle, or of the class given to registerClass. */
type Where = "handle" | "original";

// The methods' one way out: a class defineClass compiles sees no closure.
const SHARED = "metamorphUnmanagedLazyShared";
const shared = (): string[] => (globalThis as unknown as Record<string, string[]>)[SHARED]!;
afterAll(() => {
  delete (globalThis as Record<string, unknown>)[SHARED];
});

/** Version 1 and the next release (another module scope), as a package ships them. */
function releases(): { Base: new () => Node; Next: new () => Node } {
  return new Function(`"use strict";
    const shared = () => globalThis[${JSON.stringify(SHARED)}];
    class Base {
      constructor() { this.o = 0; this.got = []; }
      send(other) { shared().push("v1"); other.receive("x"); }
      receive(value) { this.got.push(value); }
    }
    class Next {
      constructor() { this.o = 0; this.got = []; this.n = 1; }
      send(other) { shared().push("v2"); other.receive("x"); }
      receive(value) { this.got.push(value + this.n); }
    }
    return { Base, Next };`)() as { Base: new () => Node; Next: new () => Node };
}

interface World {
  readonly ns: Namespace;
  readonly base: Node;
  readonly specials: Node[];
  readonly next: (policy: Policy) => Patch;
}

/** A registered class, its subclass `Special` (of the handle or of the original), `specials` of them. */
function registered(finder: Finder, where: Where, specials: number, label: string): World {
  const { Base, Next } = releases();
  // A package's subclass of its own class, some built before registration.
  class Original extends Base {}
  Object.defineProperty(Original, "name", { value: "Special" });
  const early = where === "original" ? [new Original()] : [];
  const ns = new Namespace(`unmanaged-lazy-${label}`, { instanceFinder: finder });
  const B = ns.registerClass(Base, { name: "Base" });
  class Special extends B {}
  const made = Array.from({ length: specials - early.length }, () =>
    where === "original" ? new Original() : new Special(),
  );
  return {
    ns,
    base: new B(),
    specials: [...early, ...made],
    next: (policy) => patch("next").replaceImplementation("Base", Next).policy(policy).build(),
  };
}

/** A defineClass class and the program's `class Special extends Handle`. */
function defined(finder: Finder, specials: number, label: string): World {
  const ns = new Namespace(`unmanaged-lazy-defined-${label}`, { instanceFinder: finder });
  const B = ns.defineClass<Node>({
    name: "Base",
    fields: [
      { name: "o", initializer: "0" },
      { name: "got", initializer: "[]" },
    ],
    methods: {
      send(this: Node, other: Node) {
        (globalThis as unknown as Record<string, string[]>).metamorphUnmanagedLazyShared!.push(
          "v1",
        );
        other.receive("x");
      },
      receive(this: Node, value: string) {
        this.got.push(value);
      },
    },
  });
  class Special extends B {}
  return {
    ns,
    base: new B(),
    specials: Array.from({ length: specials }, () => new Special()),
    next: (policy) =>
      patch("next")
        .addField("Base", "n", { default: 1 })
        .replaceMethods("Base", {
          send(this: Node, other: Node) {
            (globalThis as unknown as Record<string, string[]>).metamorphUnmanagedLazyShared!.push(
              "v2",
            );
            other.receive("x");
          },
        })
        .policy(policy)
        .build(),
  };
}

/** The update's outcome: its refusal, or the result. */
async function attempt(world: World, policy: Policy, sync: boolean) {
  const run = sync
    ? Promise.resolve().then(() => updateSync(world.ns, world.next(policy)))
    : update(world.ns, world.next(policy));
  return run.then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
}

/** Refused before anything changed, as eager refuses; the call then runs version 1 whole. */
async function expectRefusedWhole(world: World, policy: Policy, sync: boolean): Promise<void> {
  (globalThis as unknown as Record<string, string[]>)[SHARED] = [];
  const all = [world.base, ...world.specials];
  const before = deepSnapshot({ ns: world.ns, objects: all });
  const prototypes = all.map((o) => Object.getPrototypeOf(o) as object);
  const { result, error } = await attempt(world, policy, sync);
  if (result !== undefined) {
    // What happened before the fix: committed, then rolled back mid-call.
    try {
      world.base.send(world.specials[0]!);
    } catch {}
  }
  expect(result?.state(), "committed what eager refuses").toBeUndefined();
  expect(error).toMatchObject({
    code: "MM_UNMANAGED_CLASS",
    details: { className: "Base", subclass: "Special", count: world.specials.length },
  });
  expect(snapshotDifference(before, deepSnapshot({ ns: world.ns, objects: all }))).toBeUndefined();
  expect(all.map((o) => Object.getPrototypeOf(o) as object)).toEqual(prototypes);
  expect(shared()).toEqual([]);
  world.base.send(world.specials[0]!);
  expect([shared(), world.specials[0]!.got]).toEqual([["v1"], ["x"]]);
}

test.each(["lazy", "progressive"] as const)(
  "%s, heap finder: a subclass of the handle (registerClass) is refused before the commit, the shared array and the receiver as they were",
  async (policy) => {
    await expectRefusedWhole(registered("heap", "handle", 1, `handle-${policy}`), policy, true);
  },
);

test.each(["lazy", "progressive"] as const)(
  "%s, heap finder: a subclass of a defineClass handle is refused before the commit",
  async (policy) => {
    await expectRefusedWhole(defined("heap", 2, `define-${policy}`), policy, true);
  },
);

test.each(["lazy", "progressive"] as const)(
  "%s, heap finder: a package's subclass of the class it registered (built by the original constructor) is refused before the commit of its next release",
  async (policy) => {
    await expectRefusedWhole(registered("heap", "original", 2, `original-${policy}`), policy, true);
  },
);

test("property: policy × finder × where the subclass is declared — refused as eager refuses, nothing changed (seed 2705)", async () => {
  let round = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Policy>("eager", "lazy", "progressive"),
      fc.constantFrom<Finder>("heap", "adaptive", "registry"),
      fc.constantFrom<"registered handle" | "registered original" | "defined handle">(
        "registered handle",
        "registered original",
        "defined handle",
      ),
      fc.integer({ min: 1, max: 3 }),
      fc.boolean(),
      async (policy, finder, where, specials, sync) => {
        // The registry sees nothing the original class builds (docs/production.md).
        fc.pre(!(finder === "registry" && where === "registered original"));
        const label = `p${round++}`;
        const world =
          where === "defined handle"
            ? defined(finder, specials, label)
            : registered(
                finder,
                where === "registered handle" ? "handle" : "original",
                specials,
                label,
              );
        await expectRefusedWhole(world, policy, sync);
      },
    ),
    { seed: 2705, numRuns: 18 },
  );
});

test("lazy, heap finder: a subclass whose objects are all gone refuses nothing, and the update commits", async () => {
  const world = registered("heap", "handle", 3, "gone");
  world.specials.length = 0;
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as unknown as Record<string, string[]>)[SHARED] = [];
  const result = updateSync(world.ns, world.next("lazy"));
  expect(result.state()).toBe("committed");
  const other = new (Object.getPrototypeOf(world.base).constructor as new () => Node)();
  world.base.send(other);
  expect([shared(), other.got]).toEqual([["v2"], ["x1"]]);
});

test("lazy, heap finder: a subclass registered after it built objects migrates with its base", async () => {
  const { Base, Next } = releases();
  const ns = new Namespace("unmanaged-lazy-registered-later", { instanceFinder: "heap" });
  const B = ns.registerClass(Base, { name: "Base" });
  class Special extends B {}
  const s = new Special();
  ns.registerClass(Special);
  (globalThis as unknown as Record<string, string[]>)[SHARED] = [];
  const result = updateSync(
    ns,
    patch("next").replaceImplementation("Base", Next).policy("lazy").build(),
  );
  expect(result.state()).toBe("committed");
  new B().send(s);
  expect([shared(), s.got]).toEqual([["v2"], ["x1"]]);
});

test("lazy, heap finder, same-scope implementation: a direct first call on a subclass of the original class rolls back and runs version 1, nothing lost", async () => {
  const world = registered("heap", "original", 1, "same-scope-direct");
  const { Next } = releases();
  (globalThis as unknown as Record<string, string[]>)[SHARED] = [];
  const special = world.specials[0]!;
  const before = deepSnapshot({ ns: world.ns, objects: [world.base, special] });
  const result = updateSync(
    world.ns,
    patch("next").replaceImplementation("Base", Next, { sameScope: true }).policy("lazy").build(),
  );
  special.receive("y");
  expect([result.state(), special.got]).toEqual(["rolled-back", ["y"]]);
  special.got.pop();
  expect(
    snapshotDifference(before, deepSnapshot({ ns: world.ns, objects: [world.base, special] })),
  ).toBeUndefined();
  await result.completion.catch(() => undefined);
});

/**
 * Known, and documented (docs/production.md): a new implementation of the
 * same module scope (`sameScope: true`, `metamorph dev`) makes the lazy
 * pause query nothing, and a package's subclass of the original class is
 * seen by no handle: the update commits, and the first call reaching one
 * of its objects inside new code rolls back after that code wrote.
 */
test.fails("lazy, heap finder, same-scope implementation: a subclass of the original class is refused before the commit", async () => {
  const world = registered("heap", "original", 1, "same-scope");
  const { Next } = releases();
  const sameScope = {
    ...world,
    next: (policy: Policy) =>
      patch("next").replaceImplementation("Base", Next, { sameScope: true }).policy(policy).build(),
  };
  await expectRefusedWhole(sameScope, "lazy", true);
});
