/**
 * A class's own name in the code of its methods and field initialisers is
 * the class as the program holds it: its handle. The body that holds the
 * methods used to bind the name to itself, so `new Point()` in a method of
 * Point built an object of that body — no fields, none of the statics, not
 * an instance of the class (review advY4); a release's `clone()` crashed
 * the service that way.
 */
import { describe, expect, test } from "vitest";
import { allInstances, Namespace, patch, updateSync } from "../../src/index.js";

interface Point {
  x: number;
  copy(): Point;
}

const copySource = {
  copy(this: Point) {
    // @ts-expect-error the class's own name, bound where the method is compiled
    const made = new Point({ x: this.x + 1 });
    return made;
  },
};

describe.each(["defined", "patched"] as const)("a created class, its method %s", (where) => {
  test("new Point() in a method builds a managed Point: its fields, its statics, found as an instance", () => {
    const ns = new Namespace(`own-name-${where}`, { instanceFinder: "heap" });
    const Point = ns.defineClass<Point>({
      name: "Point",
      fields: [{ name: "x", initializer: "0" }],
      methods:
        where === "defined"
          ? copySource
          : {
              copy(this: Point) {
                return this;
              },
            },
      statics: {
        origin() {
          return 0;
        },
      },
    });
    if (where === "patched")
      updateSync(ns, patch("copy").replaceMethods("Point", copySource).build());
    const copy = new Point({ x: 1 }).copy();
    expect(copy).toBeInstanceOf(Point);
    expect(Object.keys(copy)).toEqual(["x"]);
    expect(copy.x).toBe(2);
    expect(copy.constructor).toBe(Point);
    expect(allInstances(Point)).toContain(copy);
  });
});

test("a registered class's method patched: its own name is the handle, with the class's statics", () => {
  class Counter {
    n = 0;
    static made = 0;
    static create() {
      Counter.made++;
      return new Counter();
    }
    clone() {
      return this;
    }
  }
  const ns = new Namespace("own-name-registered", { instanceFinder: "heap" });
  const Handle = ns.registerClass(Counter);
  const live = new Handle();
  live.n = 5;
  updateSync(
    ns,
    patch("clone")
      .replaceMethods("Counter", {
        clone(this: Counter) {
          // The class's own name, bound where the method is compiled (not this closure's).
          const made = Counter.create();
          made.n = this.n;
          return made;
        },
      })
      .build(),
  );
  const clone = live.clone();
  expect(clone).toBeInstanceOf(Handle);
  expect([clone.n, Object.keys(clone)]).toEqual([5, ["n"]]);
  expect(allInstances(Handle)).toContain(clone);
});
