/**
 * Objects a class handle builds share one hidden class (V8 map), as objects
 * of a plain class do: otherwise every property access on them turns
 * megamorphic and each construction copies a map (µs instead of ns). Checked
 * with V8's own %HaveSameMap, which needs --allow-natives-syntax: set at run
 * time, it applies to code compiled afterwards (the Function below).
 */
import { setFlagsFromString } from "node:v8";
import { expect, test } from "vitest";
import { definitionFromSpec } from "../../src/mop/index.js";
import { createClassHandle, stablePrototype } from "../../src/mop/classHandle.js";
import { installVersion } from "../../src/mop/classVersions.js";
import { Namespace } from "../../src/index.js";

setFlagsFromString("--allow-natives-syntax");
const haveSameMap = new Function("a", "b", "return %HaveSameMap(a, b)") as (
  a: object,
  b: object,
) => boolean;

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

test("a registered class: fresh objects share one hidden class", () => {
  const ns = new Namespace("hidden-classes-registered", { instanceFinder: "heap" });
  class Registered {
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  const Handle = ns.registerClass(Registered);
  expect(haveSameMap(new Handle(1, 2), new Handle(3, 4))).toBe(true);
});

test("after a new implementation with a prototype of its own: fresh objects share one hidden class, on the stable prototype", () => {
  const Handle = createClassHandle(
    Point,
    definitionFromSpec({ name: "Point", fields: [{ name: "x" }, { name: "y" }] }),
  ) as unknown as typeof Point;
  class Point2 {
    w = 0;
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  installVersion(Handle, {
    ctor: Point2,
    definition: definitionFromSpec({
      name: "Point",
      fields: [{ name: "w" }, { name: "x" }, { name: "y" }],
    }),
  });
  const a = new Handle(1, 2);
  const b = new Handle(3, 4);
  expect(Object.getPrototypeOf(a)).toBe(stablePrototype(Handle));
  expect(haveSameMap(a, b)).toBe(true);
});

// Known (docs/dev.md, Limits): super() from a registered subclass reaches the
// superclass's handle, an ordinary function, which allocates with the
// subclass as new.target before the superclass's version allocates again:
// the subclass's initial map flips between the two constructors, and V8
// copies a fresh map for every object. Fix: link the subclass's running
// class to the superclass's running version (and re-link at every update).
test.fails("a registered subclass of a registered class: fresh objects share one hidden class", () => {
  const ns = new Namespace("hidden-classes-subclass", { instanceFinder: "heap" });
  class Base {
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  const BaseHandle = ns.registerClass(Base);
  class Sub extends BaseHandle {
    z = 1;
  }
  const SubHandle = ns.registerClass(Sub);
  expect(haveSameMap(new SubHandle(1, 2), new SubHandle(3, 4))).toBe(true);
});
