/**
 * MM_OLD_RELEASE_VALUE for a field holding the running release's class
 * itself (`this.kind = Circle`) when the update gives that class a new
 * release: the objects kept constructing with the running release's
 * constructor, so a Circle made after the commit lacked the new release's
 * `d` and the new `area()` returned NaN — committed with no word of it.
 */
import { describe, expect, test } from "vitest";
import { Namespace, type Policy, patch, type UpdateWarning, updateSync } from "../../src/index.js";

type Circle = { r: number; d?: number; area(): number };
type Shape = { kind: Function; make(r: number): Circle };
type Release = { Circle: new (r: number) => Circle; Shape: new () => Shape };

/** One release of a package whose Shape keeps the class it makes in a field. */
function release(next: boolean): Release {
  return new Function(
    `"use strict";
    class Circle {
      constructor(r) { this.r = r; ${next ? "this.d = 2 * r;" : ""} }
      area() { return ${next ? "0.75 * this.d * this.d" : "3 * this.r * this.r"}; }
    }
    class Shape {
      constructor() { this.kind = Circle; this.name = "s"; ${next ? "this.extra = 1;" : ""} }
      make(r) { return new this.kind(r); }
    }
    return { Circle, Shape };`,
  )() as Release;
}

function upgrade(policy: Policy, { replaceCircle = true, migrator = false } = {}) {
  const [a, b] = [release(false), release(true)];
  const ns = new Namespace("shapes");
  const Circle = ns.registerClass(a.Circle, { name: "Circle" });
  const Shape = ns.registerClass(a.Shape, { name: "Shape" }) as unknown as new () => Shape;
  const shape = new Shape();
  let p = patch("next").replaceImplementation("Shape", b.Shape as never);
  if (replaceCircle) p = p.replaceImplementation("Circle", b.Circle as never);
  if (migrator)
    p = p.migrate("Shape", (_old, target) => {
      (target as Record<string, unknown>).kind = Circle;
    });
  const result = updateSync(ns, p.build(), { policy });
  return { shape, warnings: result.warnings, Circle };
}

const held = (warnings: readonly UpdateWarning[]) =>
  warnings.filter((w) => w.code === "MM_OLD_RELEASE_VALUE" && w.className === "Shape");

describe.each(["eager", "lazy", "progressive"] as const)(
  "a field holding a replaced class (%s)",
  (policy) => {
    test("is named, with the migrator that makes the current release", () => {
      const { shape, warnings, Circle } = upgrade(policy);
      const [w, ...more] = held(warnings);
      expect(more).toEqual([]);
      expect(w?.field).toBe("kind");
      expect(w?.note).toMatch(
        policy === "eager"
          ? /^field `kind` holds the running release's class Circle itself/
          : /^field `kind` (holds|may hold) the running release's class Circle itself/,
      );
      expect(w?.message).toMatch(/target\.kind = Circle/);
      // What it warns of: made by the running release's constructor.
      const made = shape.make(2);
      expect(made).toBeInstanceOf(Circle);
      expect(made.d).toBeUndefined();
      expect(made.area()).toBeNaN();
    });

    test("the advised migrator: no warning, and what the objects make is the new release's", () => {
      const { shape, warnings, Circle } = upgrade(policy, { migrator: true });
      expect(held(warnings)).toEqual([]);
      const made = shape.make(2); // a lazy update migrates the shape on this first call
      expect(shape.kind).toBe(Circle);
      expect([made.d, made.area()]).toEqual([4, 12]);
    });

    test("a class the update does not replace is not named", () => {
      const { warnings } = upgrade(policy, { replaceCircle: false });
      expect(held(warnings)).toEqual([]);
    });
  },
);
