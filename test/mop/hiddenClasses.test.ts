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
import { installVersion, reparent } from "../../src/mop/classVersions.js";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { collectGarbage } from "../support/v8.js";

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

/** A registered `Base` and `class Sub extends BaseHandle` registered too, as `metamorph dev` registers them. */
function registeredPair(name: string) {
  const ns = new Namespace(name, { instanceFinder: "heap" });
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
  return { Base, BaseHandle, Sub, SubHandle };
}

// super() from a registered subclass used to reach the superclass's handle,
// an ordinary function, which allocated with the subclass as new.target
// before the superclass's version allocated again: the subclass's initial
// map flipped between the two constructors, a fresh map for every object.
// The subclass's running class now extends the superclass's running version.
test("a registered subclass of a registered class: fresh objects share one hidden class", () => {
  const { SubHandle } = registeredPair("hidden-classes-subclass");
  expect(haveSameMap(new SubHandle(1, 2), new SubHandle(3, 4))).toBe(true);
});

const pointDefinition = (name: string, fields: string[], superclass: string | null = null) =>
  definitionFromSpec({ name, superclass, fields: fields.map((f) => ({ name: f })) });

test("a registered subclass follows each new implementation of its superclass, and goes back with its undo", () => {
  const { Base, BaseHandle, Sub, SubHandle } = registeredPair("hidden-classes-follow");
  expect(Object.getPrototypeOf(Sub)).toBe(Base);
  class Base2 {
    w = 0;
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  const undo = installVersion(BaseHandle, {
    ctor: Base2,
    definition: pointDefinition("Base", ["w", "x", "y"]),
  });
  expect(Object.getPrototypeOf(Sub)).toBe(Base2);
  const a = new SubHandle(1, 2) as unknown as Record<string, number>;
  const b = new SubHandle(3, 4);
  expect({ ...a }).toEqual({ w: 0, x: 1, y: 2, z: 1 });
  expect(haveSameMap(a, b)).toBe(true);
  expect(a).toBeInstanceOf(SubHandle);
  expect(a).toBeInstanceOf(BaseHandle);
  undo();
  expect(Object.getPrototypeOf(Sub)).toBe(Base);
  const c = new SubHandle(5, 6) as unknown as Record<string, number>;
  expect({ ...c }).toEqual({ x: 5, y: 6, z: 1 });
  expect(haveSameMap(c, new SubHandle(7, 8))).toBe(true);
});

test("a new implementation of a registered subclass extends the superclass's running version once installed, its own again after the undo", () => {
  const { Base, BaseHandle, SubHandle } = registeredPair("hidden-classes-sub-version");
  class Sub2 extends BaseHandle {
    z = 2;
    v = 3;
  }
  const undo = installVersion(SubHandle, {
    ctor: Sub2,
    definition: pointDefinition("Sub", ["z", "v"], "Base"),
  });
  expect(Object.getPrototypeOf(Sub2)).toBe(Base);
  const a = new SubHandle(1, 2) as unknown as Record<string, number>;
  expect({ ...a }).toEqual({ x: 1, y: 2, z: 2, v: 3 });
  expect(Object.getPrototypeOf(a)).toBe(stablePrototype(SubHandle));
  expect(haveSameMap(a, new SubHandle(3, 4))).toBe(true);
  undo();
  expect(Object.getPrototypeOf(Sub2)).toBe(BaseHandle);
  expect({ ...(new SubHandle(1, 2) as unknown as Record<string, number>) }).toEqual({
    x: 1,
    y: 2,
    z: 1,
  });
});

test("a registered subclass moved to the root and back: its class links follow, and the undo restores them", () => {
  const { Base, BaseHandle, Sub, SubHandle } = registeredPair("hidden-classes-reparent");
  const undo = reparent(SubHandle, null);
  expect(Object.getPrototypeOf(Sub)).toBe(Function.prototype);
  expect(Object.getPrototypeOf(SubHandle)).toBe(Function.prototype);
  undo();
  expect(Object.getPrototypeOf(Sub)).toBe(Base);
  expect(Object.getPrototypeOf(SubHandle)).toBe(BaseHandle);
  const a = new SubHandle(1, 2);
  expect(haveSameMap(a, new SubHandle(3, 4))).toBe(true);
  expect(a).toBeInstanceOf(BaseHandle);
});

// A superclass handle lists its subclasses so that their running classes
// follow its own; the list must not keep a subclass alive (one added by an
// update that was rolled back, or a class the program dropped).
test("a superclass handle does not keep a dropped subclass handle alive", async () => {
  const ns = new Namespace("hidden-classes-retention", { instanceFinder: "heap" });
  class Base {
    constructor(public x: number) {}
  }
  const BaseHandle = ns.registerClass(Base);
  const dropped = (() => {
    class Sub extends BaseHandle {
      z = 1;
    }
    return new WeakRef(
      createClassHandle(Sub, pointDefinition("Sub", ["x", "z"], "Base"), {
        superclass: BaseHandle,
      }),
    );
  })();
  // A WeakRef keeps its target alive until the job that created it ends.
  await new Promise((resolve) => setTimeout(resolve, 0));
  collectGarbage();
  expect(dropped.deref()).toBeUndefined();
  // The superclass still installs new versions (its list is pruned, not broken).
  class Base2 {
    constructor(public x: number) {}
  }
  installVersion(BaseHandle, { ctor: Base2, definition: pointDefinition("Base", ["x"]) });
  expect(new BaseHandle(3)).toBeInstanceOf(BaseHandle);
});

test("a registered subclass, after an update changed its superclass's fields: fresh objects share one hidden class", () => {
  const ns = new Namespace("hidden-classes-inherited-fields", { instanceFinder: "heap" });
  class Shape {
    constructor(public size: number) {}
  }
  const ShapeHandle = ns.registerClass(Shape);
  class Square extends ShapeHandle {
    side = this.size;
  }
  const SquareHandle = ns.registerClass(Square);
  class Shape2 {
    kind = "shape";
    constructor(public size: number) {}
  }
  const result = updateSync(ns, patch("v2").replaceImplementation("Shape", Shape2).build());
  expect(result.changes.map((c) => `${c.kind} ${c.className}`)).toContain(
    "inherited-fields-changed Square",
  );
  const a = new SquareHandle(1);
  expect({ ...a }).toEqual({ size: 1, kind: "shape", side: 1 });
  expect(Object.getPrototypeOf(a)).toBe(SquareHandle.prototype);
  expect(haveSameMap(a, new SquareHandle(2))).toBe(true);
});
