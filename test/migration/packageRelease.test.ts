/**
 * A package's class replaced by the same class of its next release, as a
 * service upgrading a dependency in place does. A release re-evaluates the
 * package's modules: a class whose file did not change between releases
 * reads exactly as before (semver's Comparator from 7.5.4 to 7.6.3) but its
 * methods and statics close over the new release's module — its helpers,
 * its other classes, its symbols. Treated as unchanged, the old methods
 * stayed installed and called into the old release beside classes that had
 * moved to the new one (semver: a TypeError from the first `Range.test`).
 * And the new release's code tests objects with `instanceof` its own class,
 * which the migrated objects — on the handle's prototype — must pass.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  Namespace,
  patch,
  readClassDefinition,
  type UpdateResult,
  updateSync,
} from "../../src/index.js";
import { hasFastProperties } from "../support/v8.js";

interface Release {
  readonly Version: new (value: string) => { value: string; label(): string };
  readonly Range: new (low: string) => { low: unknown; accepts(value: string): boolean };
  readonly isVersion: (x: unknown) => boolean;
  readonly make: (value: string) => { value: string; label(): string };
  readonly ANY: symbol;
}

/** The same module source evaluated once per release: a module scope of its own each time. */
function release(tag: string): Release {
  return new Function(
    "tag",
    `"use strict";
    const ANY = Symbol("any");
    const label = (v) => tag + ":" + v.value;
    class Version {
      constructor(value) { this.value = value; }
      label() { return label(this); }
      static get ANY() { return ANY; }
    }
    class Range {
      constructor(low) { this.low = low === "*" ? ANY : new Version(low); }
      accepts(value) { return this.low === ANY || new Version(value).value >= this.low.value; }
    }
    return { Version, Range, isVersion: (x) => x instanceof Version, make: (v) => new Version(v), ANY };`,
  )(tag) as Release;
}

describe("a class replaced by the same class of the package's next release", () => {
  test("its methods and statics become the new release's, though its source reads the same", () => {
    const v1 = release("v1");
    const v2 = release("v2");
    const ns = new Namespace("deps");
    const Version = ns.registerClass(v1.Version);
    const Range = ns.registerClass(v1.Range);
    const old = new v1.Version("1.2.0");
    const any = new v1.Range("*");
    const result = updateSync(
      ns,
      patch("upgrade")
        .replaceImplementation("Version", v2.Version)
        .replaceImplementation("Range", v2.Range)
        .migrate("Range", (from, to) => {
          if (from.low === v1.ANY) to.low = v2.ANY;
        })
        .build(),
    );
    // Range's methods switch scope too, beside its migrator (review advW1: said only when nothing else was).
    expect(result.changes.map((c) => `${c.kind} ${c.className}`)).toEqual([
      "methods-changed Version",
      "migrator-added Range",
      "methods-changed Range",
    ]);
    expect(old.label()).toBe("v2:1.2.0");
    expect((Version as unknown as { ANY: symbol }).ANY).toBe(v2.ANY);
    expect(new Version("3.0.0").label()).toBe("v2:3.0.0");
    // The old release's ANY symbol, translated by the patch's migrator.
    expect(any.low).toBe(v2.ANY);
    expect(any.accepts("0.1.0")).toBe(true);
    expect(new Range("*").accepts("0.1.0")).toBe(true);
    expect(ns.allInstances(Version)).toContain(old);
  });

  test("a class given its own running implementation again is unchanged", () => {
    const v1 = release("v1");
    const ns = new Namespace("deps");
    ns.registerClass(v1.Version);
    const result = updateSync(
      ns,
      patch("same").replaceImplementation("Version", v1.Version).build(),
    );
    expect(result.changes).toEqual([]);
  });

  test("the new release's `instanceof` its class accepts the migrated objects, until the update is rolled back", () => {
    const v1 = release("v1");
    const v2 = release("v2");
    const ns = new Namespace("deps");
    ns.registerClass(v1.Version);
    const old = new v1.Version("1.2.0");
    const result = updateSync(
      ns,
      patch("upgrade").replaceImplementation("Version", v2.Version).build(),
    );
    expect(v2.isVersion(old)).toBe(true);
    expect(old).toBeInstanceOf(v1.Version);
    // Only the class itself: a subclass of it, and values of no class, answer as before.
    class Patched extends v2.Version {}
    expect(old instanceof Patched).toBe(false);
    expect(new Patched("1.0.0")).toBeInstanceOf(v2.Version);
    for (const value of [null, undefined, 1, "1.2.0", {}, () => 0])
      expect(v2.isVersion(value)).toBe(false);
    // The class handed in is left as written: the handle's stable prototype is what moved.
    expect(Object.getOwnPropertySymbols(v2.Version)).toEqual([]);
    expect(Object.getPrototypeOf(v2.Version.prototype)).toBe(Object.prototype);
    expect(hasFastProperties(old)).toBe(true);
    result.rollback();
    expect(v2.isVersion(old)).toBe(false);
    expect(Object.getPrototypeOf(Object.getPrototypeOf(old))).toBe(Object.prototype);
  });

  test("property: through any run of upgrades and rollbacks, the running release's `instanceof` accepts the objects, and no other's but the first (seed 7)", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), (steps) => {
        const first = release("r0");
        // The registry: no update here migrates, and with the heap finder each
        // would query the heap for objects the releases built themselves
        // (builtOutside.test.ts has that property).
        const ns = new Namespace("deps", { instanceFinder: "registry" });
        ns.registerClass(first.Version);
        const objects = [new first.Version("a"), new first.Version("b")];
        const applied: { release: Release; result: UpdateResult }[] = [];
        const all: Release[] = [first];
        for (const upgrade of steps) {
          if (upgrade || applied.length === 0) {
            const next = release(`r${all.length}`);
            all.push(next);
            const result = updateSync(
              ns,
              patch(`to r${all.length - 1}`)
                .replaceImplementation("Version", next.Version)
                .build(),
            );
            applied.push({ release: next, result });
          } else applied.pop()!.result.rollback();
          const running = applied.at(-1)?.release ?? first;
          // The first release's prototype is the handle's; the running one's is linked under it.
          const standing = new Set([first, running]);
          for (const r of all)
            for (const o of objects) expect(r.isVersion(o)).toBe(standing.has(r));
          expect(objects.map((o) => o.label())).toEqual(
            objects.map((o) => new running.Version(o.value).label()),
          );
        }
      }),
      { seed: 7, numRuns: 40 },
    );
  });

  test("property: going back to a release applied before — the first registered included — brings its own methods back (seed 11)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(-1), fc.constant(-2), fc.nat(8)), {
          minLength: 1,
          maxLength: 10,
        }),
        (steps) => {
          const first = release("r0");
          const ns = new Namespace("deps", { instanceFinder: "registry" });
          ns.registerClass(first.Version);
          const objects = [new first.Version("a"), new first.Version("b")];
          const all: Release[] = [first];
          const tags = new Map<Release, string>([[first, "r0"]]);
          const applied: { release: Release; result: UpdateResult }[] = [];
          // The release running once every update so far is permanent.
          let settled = first;
          for (const step of steps) {
            // -1: a new release; -2: roll the last update back; k: release k again.
            if (step === -2 && applied.length > 0) applied.pop()!.result.rollback();
            else {
              const next = step >= 0 ? all[step % all.length]! : release(`r${all.length}`);
              if (step < 0) tags.set(next, `r${all.length}`);
              if (step < 0) all.push(next);
              const result = updateSync(
                ns,
                patch("to release").replaceImplementation("Version", next.Version).build(),
              );
              if (applied.length > 0 && step % 2 === 0) {
                for (const a of applied) a.result.makePermanent();
                settled = applied.at(-1)!.release;
                applied.length = 0;
              }
              applied.push({ release: next, result });
            }
            // Fresh objects of the running release too: the first one builds on the handle's prototype.
            const running = applied.at(-1)?.release ?? settled;
            const labels = [...objects, new running.Version("c")].map((o) => o.label());
            expect(labels).toEqual(["a", "b", "c"].map((v) => `${tags.get(running)}:${v}`));
          }
        },
      ),
      { seed: 11, numRuns: 60 },
    );
  });

  test("the class first registered, applied again after an upgrade made permanent, has its own members again: methods, accessors, and none of the upgrade's", () => {
    const make = (tag: string, members: string) =>
      new Function(
        "tag",
        `"use strict"; class Item { constructor(n) { this.n = n; } who() { return tag + this.n; } ${members} } return Item;`,
      )(tag) as new (
        n: string,
      ) => { who(): string };
    const V1 = make("v1:", "only1() { return 1; } get g() { return 'g1'; }");
    const V2 = make("v2:", "only2() { return 2; } get g() { return 'g2'; }");
    const ns = new Namespace("deps");
    const Item = ns.registerClass(V1);
    const a = new V1("a") as Record<string, unknown> & { who(): string };
    updateSync(ns, patch("up").replaceImplementation("Item", V2).build()).makePermanent();
    expect([a.who(), a.g, typeof a.only1, typeof a.only2]).toEqual([
      "v2:a",
      "g2",
      "undefined",
      "function",
    ]);
    const down = updateSync(ns, patch("down").replaceImplementation("Item", V1).build());
    expect([a.who(), a.g, typeof a.only1, typeof a.only2]).toEqual([
      "v1:a",
      "g1",
      "function",
      "undefined",
    ]);
    expect([new V1("b").who(), new Item("c").who()]).toEqual(["v1:b", "v1:c"]);
    // Its definition is read from those members too: a version derived from it brings none of V2's back.
    expect(readClassDefinition(Item).methods.map((m) => String(m.key))).toEqual([
      "who",
      "only1",
      "g",
    ]);
    const derived = updateSync(ns, patch("field").addField("Item", "z", { default: 1 }).build());
    expect([a.who(), a.g, typeof a.only1, typeof a.only2, a.z]).toEqual([
      "v1:a",
      "g1",
      "function",
      "undefined",
      1,
    ]);
    derived.rollback();
    down.rollback();
    expect([a.who(), a.g, typeof a.only1, typeof a.only2]).toEqual([
      "v2:a",
      "g2",
      "undefined",
      "function",
    ]);
  });

  test("a new implementation's own Symbol.hasInstance stands", () => {
    const v1 = release("v1");
    class Strict {
      constructor(readonly value: string) {}
      label() {
        return `strict:${this.value}`;
      }
      static [Symbol.hasInstance](value: unknown) {
        return typeof value === "object" && value !== null && "strict" in value;
      }
    }
    const ns = new Namespace("deps");
    ns.registerClass(v1.Version);
    const old = new v1.Version("1.2.0");
    updateSync(ns, patch("upgrade").replaceImplementation("Version", Strict).build());
    expect(old.label()).toBe("strict:1.2.0");
    expect(old instanceof Strict).toBe(false);
  });

  // An object the new release's own code builds (`new Version` inside the
  // package) sits on the new release's prototype; the next upgrade takes it
  // in (builtOutside.test.ts).
  test("an object the new release's code built is migrated by the next upgrade", () => {
    const [v1, v2, v3] = [release("v1"), release("v2"), release("v3")];
    const ns = new Namespace("deps");
    const Version = ns.registerClass(v1.Version);
    updateSync(ns, patch("to v2").replaceImplementation("Version", v2.Version).build());
    const built = v2.make("2.0.0");
    updateSync(ns, patch("to v3").replaceImplementation("Version", v3.Version).build());
    expect(built).toBeInstanceOf(Version);
    expect(built.label()).toBe("v3:2.0.0");
  });
});

/** A release with a base class and a subclass of it, as a package ships a hierarchy. */
function hierarchy(tag: string) {
  return new Function(
    "tag",
    `"use strict";
    class Shape {
      constructor(name) { this.name = name; }
      describe() { return tag + ":" + this.name + ":" + this.area(); }
      area() { return 0; }
    }
    class Square extends Shape {
      constructor(side) { super("square"); this.side = side; }
      area() { return this.side * this.side; }
    }
    return { Shape, Square };`,
  )(tag) as {
    Shape: new (name: string) => { name: string; describe(): string };
    Square: new (side: number) => { name: string; side: number; describe(): string };
  };
}

describe("a package's class hierarchy replaced by its next release", () => {
  test.each([
    ["base class first", ["Shape", "Square"]],
    ["subclass first", ["Square", "Shape"]],
  ] as const)(
    "%s: the new release's subclass extends its own base class, which is the base class's new implementation",
    (_, order) => {
      const v1 = hierarchy("v1");
      const v2 = hierarchy("v2");
      const ns = new Namespace("shapes");
      const Shape = ns.registerClass(v1.Shape);
      const Square = ns.registerClass(v1.Square);
      const square = new v1.Square(3);
      const shape = new v1.Shape("dot");
      let upgrade = patch("v2");
      for (const name of order) upgrade = upgrade.replaceImplementation(name, v2[name]);
      const result = updateSync(ns, upgrade.build());
      expect(result.changes.filter((c) => c.kind === "superclass-changed")).toEqual([]);
      expect([square.describe(), shape.describe()]).toEqual(["v2:square:9", "v2:dot:0"]);
      expect(square).toBeInstanceOf(Square);
      expect(square).toBeInstanceOf(Shape);
      // The new release's classes accept the old objects, subclass included.
      expect(square).toBeInstanceOf(v2.Square);
      expect(square).toBeInstanceOf(v2.Shape);
      expect(shape).toBeInstanceOf(v2.Shape);
      expect(shape).not.toBeInstanceOf(v2.Square);
      // An object the new release builds itself sits under the base handle too.
      expect(new v2.Square(1)).toBeInstanceOf(Shape);
      expect(hasFastProperties(square)).toBe(true);
      expect(new Square(2).describe()).toBe("v2:square:4");
      result.rollback();
      expect([square.describe(), shape.describe()]).toEqual(["v1:square:9", "v1:dot:0"]);
      expect(square).not.toBeInstanceOf(v2.Square);
      expect(Object.getPrototypeOf(v2.Square.prototype)).toBe(v2.Shape.prototype);
    },
  );
});

describe("a release that moves a class under another of its classes", () => {
  const release = (extendsQueue: boolean) =>
    new Function(
      `"use strict";
      class Queue { constructor() { this.items = []; } push(x) { this.items.push(x); return this; } size() { return this.items.length; } }
      const MinQueue = ${extendsQueue}
        ? class MinQueue extends Queue { min() { return Math.min(...this.items); } }
        : class MinQueue { constructor() { this.items = []; } push(x) { this.items.push(x); return this; } size() { return this.items.length; } min() { return Math.min(...this.items); } };
      return { Queue, MinQueue };`,
    )() as {
      Queue: new () => { push(x: number): unknown; size(): number };
      MinQueue: new () => { push(x: number): { min(): number }; size(): number; min(): number };
    };

  test.each([
    ["standalone, then a subclass", false, true],
    ["a subclass, then standalone", true, false],
  ] as const)(
    "%s: old objects are instances of the new class; rollback restores the chain",
    (_, before, after) => {
      const [v1, v2] = [release(before), release(after)];
      const ns = new Namespace("queues");
      ns.registerClass(v1.Queue);
      ns.registerClass(v1.MinQueue);
      const q = new v1.MinQueue();
      q.push(3).min();
      q.push(1);
      const chain = [];
      for (let p = Object.getPrototypeOf(q); p !== null; p = Object.getPrototypeOf(p))
        chain.push(p);
      const result = updateSync(
        ns,
        patch("v2")
          .replaceImplementation("Queue", v2.Queue)
          .replaceImplementation("MinQueue", v2.MinQueue)
          .build(),
      );
      expect([q.min(), q.size()]).toEqual([1, 2]);
      expect(q).toBeInstanceOf(v2.MinQueue);
      expect(q instanceof v2.Queue).toBe(after);
      result.rollback();
      const restored = [];
      for (let p = Object.getPrototypeOf(q); p !== null; p = Object.getPrototypeOf(p))
        restored.push(p);
      expect(restored).toEqual(chain);
      expect(q).toBeInstanceOf(v1.MinQueue);
    },
  );
});

test("a field patch after an upgrade keeps the objects instances of the release's class (the derived version links where the release did)", () => {
  const v1 = release("v1");
  const v2 = release("v2");
  const ns = new Namespace("deps-then-field");
  const Version = ns.registerClass(v1.Version);
  const old = new v1.Version("1.0.0");
  updateSync(ns, patch("upgrade").replaceImplementation("Version", v2.Version).build());
  expect(v2.isVersion(old)).toBe(true);
  const added = updateSync(ns, patch("note").addField("Version", "note", { default: "" }).build());
  const fresh = new Version("2.0.0");
  expect([v2.isVersion(old), v2.isVersion(fresh), old.label(), fresh.label()]).toEqual([
    true,
    true,
    "v2:1.0.0",
    "v2:2.0.0",
  ]);
  added.rollback();
  expect([v2.isVersion(old), old.label()]).toEqual([true, "v2:1.0.0"]);
});

test("a release that changes a class's statics and leaves its methods' source says both: the methods switch scope too (review advW1)", () => {
  const make = (statics: string) =>
    new Function(
      `"use strict"; return class Counter { constructor() { this.n = 0; } get() { return this.n; } ${statics} };`,
    )() as new () => {
      get(): number;
    };
  const ns = new Namespace("statics-and-scope");
  ns.registerClass(make(""));
  const result = updateSync(
    ns,
    patch("v2").replaceImplementation("Counter", make("static one() { return 1; }")).build(),
  );
  expect(result.changes.map((c) => c.description)).toEqual([
    "Counter statics changed",
    "Counter methods changed (same source, the new implementation's scope)",
  ]);
});
