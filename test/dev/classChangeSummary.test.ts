/**
 * The line `metamorph dev` prints for a reloaded class: a changed static
 * initialiser and a changed constructor said "(no change)" although the
 * edit took effect.
 */
import { expect, test } from "vitest";
import { describeClassChange, summariseClassChange } from "../../src/dev/common.js";
import { readClassDefinition } from "../../src/index.js";

const line = (a: Function, b: Function) =>
  describeClassChange(
    summariseClassChange(readClassDefinition(a), readClassDefinition(b), {}, undefined),
  );

test("a static initialiser changed, added or removed is named", () => {
  class A {
    n = 0;
    static spawned = 0;
    static gone = 1;
  }
  const B = new Function(
    `return class A { n = 0; static spawned = 1000; static fresh = 2; }`,
  )() as Function;
  expect(line(A, B)).toBe("A (~static spawned, +static fresh, -static gone)");
});

test("a change outside fields, methods and statics (the constructor) is not called no change", () => {
  class P {
    constructor() {
      this.n = 1;
    }
    n: number;
  }
  const Q = new Function(
    `return class P { constructor() { this.n = 1; if (this.n > 5) throw new Error("no"); } }`,
  )() as Function;
  expect(line(P, Q)).toBe("P (constructor or other code)");
});
