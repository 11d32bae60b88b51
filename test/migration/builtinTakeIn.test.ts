/**
 * A rollback takes in what the rolled-back release built while it ran
 * (outsideBuilt.ts), also for a class extending a built-in (review advZ22):
 * an object of a class `extends Array` that the release's own code built
 * (`static make() { return new Num() }`) stayed on that release after
 * `rollback()` or a failed health check — its methods the rolled-back
 * ones, not `instanceof` the handle — because the take-in asked every
 * non-configurable own property to be an old field in its place, and an
 * array's `length` (a RegExp's `lastIndex`, a function's `prototype`) is
 * none. What the built-in gives the object now stays with it: it takes the
 * old layout and methods, its elements and slots as they were.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, update, updateSync } from "../../src/index.js";

type Num = { v: number; w?: number; who(): string } & object;
type Release = (new (v: number) => Num) & { make(v: number): Num };

interface Builtin {
  readonly base: Function;
  /** The arguments the constructor passes to `super`. */
  readonly args: string;
  /** A change to the built-in's own state after construction. */
  readonly touch: (o: never) => void;
  /** The built-in's own state, which the rollback keeps. */
  readonly state: (o: never) => unknown;
}

const BUILTINS: Record<string, Builtin> = {
  Object: { base: Object, args: "", touch: () => {}, state: () => null },
  Array: {
    base: Array,
    args: "",
    touch: (o: number[]) => o.push(7, 8),
    state: (o: number[]) => [...o, o.length],
  },
  Map: {
    base: Map,
    args: "",
    touch: (o: Map<string, number>) => o.set("k", 1),
    state: (o: Map<string, number>) => [...o],
  },
  Error: { base: Error, args: "'boom'", touch: () => {}, state: (o: Error) => o.message },
  RegExp: {
    base: RegExp,
    args: "'a+', 'g'",
    touch: (o: RegExp) => {
      o.lastIndex = 2;
    },
    state: (o: RegExp) => [o.source, o.flags, o.lastIndex],
  },
  Function: {
    base: Function,
    args: "'return 42'",
    touch: () => {},
    state: (o: () => number) => o(),
  },
  Uint8Array: {
    base: Uint8Array,
    args: "3",
    touch: (o: Uint8Array) => {
      o[1] = 9;
    },
    state: (o: Uint8Array) => [...o],
  },
  Date: { base: Date, args: "86400000", touch: () => {}, state: (o: Date) => o.getTime() },
  Promise: { base: Promise, args: "(resolve) => resolve(1)", touch: () => {}, state: () => null },
};

/** One release of a class over `base`: its own `make` builds with `new` inside the release. */
function release(tag: string, { base, args }: Builtin, fields: string): Release {
  return new Function(
    "Base",
    `"use strict";
    return class Num extends Base {
      constructor(v) { super(${args}); this.v = v; ${fields} }
      who() { return "${tag}"; }
      static make(v) { return new Num(v); }
    };`,
  )(base) as Release;
}

let namespaces = 0;

test("a rollback takes in what the release built while it ran, whatever built-in its class extends: old methods, old layout, the built-in's state kept (seed 2206)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...Object.keys(BUILTINS)),
      fc.subarray(["static make", "the release's class", "the handle"] as const, { minLength: 1 }),
      fc.constantFrom("rollback", "healthCheck"),
      fc.constantFrom("eager" as const, "lazy" as const),
      fc.boolean(),
      async (name, ways, path, policy, newField) => {
        const builtin = BUILTINS[name]!;
        const A = release("A", builtin, "");
        const B = release("B", builtin, newField ? "this.w = 2;" : "");
        const ns = new Namespace(`builtin-take-in-${++namespaces}`);
        const Handle = ns.registerClass(A, { name: "Num", externalSuperclass: true }) as Release;
        const built: Num[] = [];
        const states: unknown[] = [];
        const build = () => {
          for (const how of ways) {
            const o =
              how === "static make"
                ? Handle.make(1)
                : how === "the handle"
                  ? new Handle(1)
                  : new B(1);
            builtin.touch(o as never);
            built.push(o);
            states.push(builtin.state(o as never));
          }
        };
        const next = patch("to B").replaceImplementation("Num", B).build();
        let outcome: string;
        if (path === "rollback") {
          const result = updateSync(ns, next, { policy });
          build();
          expect(built[0]!.who()).toBe("B");
          result.rollback();
          outcome = result.state();
        } else {
          const result = await update(ns, next, {
            policy,
            healthCheck: () => {
              build();
              return false;
            },
          });
          outcome = result.outcome;
        }
        expect(outcome).toBe("rolled-back");
        // Was (Array, RegExp, Function built by the release's code): "B", false.
        expect(built.map((o) => [o.who(), o instanceof Handle, o instanceof builtin.base])).toEqual(
          built.map(() => ["A", true, true]),
        );
        expect(built.map((o) => Object.keys(o).filter((k) => !/^\d+$/.test(k)))).toEqual(
          built.map(() => ["v"]),
        );
        expect(built.map((o) => builtin.state(o as never))).toEqual(states);
      },
    ),
    { seed: 2206, numRuns: 20 },
  );
}, 180_000);
