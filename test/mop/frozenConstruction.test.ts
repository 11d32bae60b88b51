/**
 * A class whose constructor freezes (seals, makes non-extensible) its
 * objects, replaced by a new implementation: the handle built the object
 * with the implementation, then moved it onto the stable prototype — which a
 * frozen object refuses, so after any committed update every `new` threw a
 * bare TypeError. The handle now builds such a class onto the stable
 * prototype directly.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

test.each(["freeze", "seal", "preventExtensions"] as const)(
  "Object.%s(this) in the new implementation's constructor: construction through the handle keeps working, and rolls back",
  (how) => {
    const make = (factor: number) =>
      new Function(
        `"use strict"; return class Point { constructor(x) { this.x = x; Object.${how}(this); } get() { return this.x * ${factor}; } };`,
      )() as new (
        x: number,
      ) => { get(): number };
    const [V1, V2] = [make(1), make(10)];
    const ns = new Namespace(`frozen-${how}`);
    const Point = ns.registerClass(V1);
    const before = new Point(1);
    const result = updateSync(ns, patch("v2").replaceImplementation("Point", V2).build());
    const first = new Point(2);
    const later = [new Point(3), new Point(4)];
    expect([before.get(), first.get(), ...later.map((p) => p.get())]).toEqual([10, 20, 30, 40]);
    // The first object showed the constructor freezes: it stays an object of the implementation.
    expect(first).toBeInstanceOf(V2);
    for (const p of later) {
      expect(p).toBeInstanceOf(Point);
      expect(Object.getPrototypeOf(p)).toBe(Point.prototype);
      expect(Object.isExtensible(p)).toBe(false);
    }
    result.rollback();
    expect(new Point(5).get()).toBe(5);
  },
);
