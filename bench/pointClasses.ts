/**
 * The classes the mop bench constructs: a managed Point (and a subclass)
 * defined in a namespace, and the same classes written by hand.
 */
import type { Namespace } from "../src/index.js";

export interface Point {
  x: number;
  y: number;
  label: string;
  norm(): number;
}

export interface Point3 extends Point {
  z: number;
}

/** The constructor argument of a Point, as loop source text (`i` is the loop counter). */
export const ARGS = `{ x: i, y: i + 1, label: "p" }`;

/** The hand-written equivalents: same fields, same order, same constructor argument. */
export class NativePoint {
  x: number;
  y: number;
  label: string;
  constructor(init: { x: number; y: number; label: string }) {
    this.x = init.x;
    this.y = init.y;
    this.label = init.label;
  }
  norm(): number {
    return this.x * this.x + this.y * this.y;
  }
}

export class NativePoint3 extends NativePoint {
  z: number;
  constructor(init: { x: number; y: number; label: string; z: number }) {
    super(init);
    this.z = init.z;
  }
}

/** Point alone: a handle no other handle extends (V8 treats one that is a prototype differently). */
export function definePoint(ns: Namespace) {
  return ns.defineClass<Point>({
    name: "Point",
    fields: [
      { name: "x", initializer: "0" },
      { name: "y", initializer: "0" },
      { name: "label", initializer: '""' },
    ],
    methods: {
      norm(this: Point) {
        return this.x * this.x + this.y * this.y;
      },
    },
  });
}

export function defineClasses(ns: Namespace) {
  const Point = definePoint(ns);
  const Point3 = ns.defineClass<Point3>({
    name: "Point3",
    superclass: "Point",
    fields: [{ name: "z", initializer: "0" }],
  });
  return { Point, Point3 };
}
