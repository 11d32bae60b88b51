/**
 * A package method the program replaced on the prototype (a wrapper,
 * instrumentation) is overwritten by the new release's: named.
 *
 * After registering ml-matrix, a program wrapped `Matrix.prototype.get` to
 * count calls, then updated 6.8 -> 6.10.8: the methods a plugin had added
 * survived, the wrapper was replaced without a word (0 calls counted
 * after), and a rollback restored it. It cannot be kept: it calls the
 * running release's `get` it captured. The new release's goes in, and
 * programMethodsReplaced names what the program lost.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, type Policy, patch, updateSync } from "../../src/index.js";
import { currentVersion } from "../../src/mop/classHandle.js";
import { programMethodsReplaced } from "../../src/migration/programMethods.js";
import { markStandIn } from "../../src/mop/standIns.js";

type Matrix = {
  data: number[][];
  get(i: number, j: number): number;
  set(i: number, j: number, v: number): Matrix;
  trace(): number;
  [plugin: string]: unknown;
};
type MatrixClass = { new (data: number[][]): Matrix; prototype: Matrix };

/** One release of a matrix package; the next reads through `get` in `trace` and drops `set` where `dropSet`. */
function release(next: boolean, dropSet = false): MatrixClass {
  return new Function(
    `"use strict";
    return class Matrix {
      constructor(data) { this.data = data; }
      get(i, j) { return this.data[i][j]${next ? " + 0" : ""}; }
      ${dropSet ? "" : "set(i, j, v) { this.data[i][j] = v; return this; }"}
      trace() { let t = 0; for (let i = 0; i < this.data.length; i++) t += this.get(i, i); return t; }
    };`,
  )() as MatrixClass;
}

function upgrade(policy: Policy, program: (prototype: Matrix) => void, dropSet = false) {
  const [a, b] = [release(false), release(true, dropSet)];
  const ns = new Namespace(`program-methods-${policy}`);
  const handle = ns.registerClass(a, { name: "Matrix" }) as unknown as MatrixClass;
  program(a.prototype);
  const m = new handle([
    [1, 2],
    [3, 4],
  ]);
  const old = currentVersion(handle).definition;
  const result = updateSync(ns, patch("6.10").replaceImplementation("Matrix", b).build(), {
    policy,
  });
  const replaced = programMethodsReplaced("Matrix", old);
  return { m, replaced, result };
}

describe.each(["eager", "lazy", "progressive"] as const)("ml-matrix's pattern (%s)", (policy) => {
  test("the wrapped `get` is named; the plugin's own method is not, and stays", () => {
    let calls = 0;
    const { m, replaced, result } = upgrade(policy, (prototype) => {
      const get = prototype.get;
      prototype.get = function (this: Matrix, i: number, j: number) {
        calls++;
        return get.call(this, i, j);
      };
      prototype.toCSV = function (this: Matrix) {
        return this.data.map((r) => r.join(",")).join(";");
      };
    });
    expect(replaced.map((r) => r.member)).toEqual(["get"]);
    expect(replaced[0]!.note).toBe(
      "`Matrix.prototype.get` is not the running release's: the program replaced it since (a wrapper, instrumentation), and the new release's member replaced the program's",
    );
    expect(replaced[0]!.advice).toMatch(/cannot be kept: apply it again over the new release's/);
    // The update's result says it.
    expect(result.warnings.filter((w) => w.code === "MM_PROGRAM_METHOD_REPLACED")).toEqual([
      expect.objectContaining({ className: "Matrix", field: "get", note: replaced[0]!.note }),
    ]);
    // What it says: the wrapper no longer runs, the plugin's method does.
    calls = 0;
    expect(m.trace()).toBe(5);
    expect(calls).toBe(0);
    expect((m.toCSV as () => string)()).toBe("1,2;3,4");
    // A rollback puts it back.
    result.rollback();
    expect(m.trace()).toBe(5);
    expect(calls).toBe(2);
  });

  test("a program that replaced nothing: nothing named", () => {
    const { replaced } = upgrade(policy, (prototype) => {
      prototype.toCSV = () => "";
    });
    expect(replaced).toEqual([]);
  });
});

/**
 * Over which methods the program replaces, which it adds, and whether the
 * new release drops `set`: named exactly the replaced ones (also where the
 * release drops one: it is deleted), never an added one.
 */
test("names exactly the methods the program replaced", () => {
  const names = ["get", "set", "trace"] as const;
  fc.assert(
    fc.property(
      fc.subarray([...names]),
      fc.subarray(["toCSV", "norm"]),
      fc.boolean(),
      fc.constantFrom("eager", "lazy") as fc.Arbitrary<Policy>,
      (wrapped, added, dropSet, policy) => {
        const { replaced } = upgrade(
          policy,
          (prototype) => {
            const members = prototype as unknown as Record<string, Function>;
            for (const name of wrapped) {
              const original = members[name]!;
              members[name] = function (this: Matrix, ...args: unknown[]) {
                return original.apply(this, args) as unknown;
              };
            }
            for (const name of added) prototype[name] = () => name;
          },
          dropSet,
        );
        expect(replaced.map((r) => r.member)).toEqual(names.filter((n) => wrapped.includes(n)));
        for (const r of replaced)
          expect(r.note).toMatch(
            dropSet && r.member === "set"
              ? /the new release has none, and the update removed it$/
              : /the new release's member replaced the program's$/,
          );
      },
    ),
    { seed: 6108, numRuns: 20 },
  );
});

test("metamorph's own wrapper over a method (the call tracker's counting one) is not the program's", () => {
  const { replaced } = upgrade("eager", (prototype) => {
    const get = prototype.get;
    const counting = function (this: Matrix, i: number, j: number) {
      return get.call(this, i, j);
    };
    markStandIn(counting, get);
    prototype.get = counting;
  });
  expect(replaced).toEqual([]);
});
