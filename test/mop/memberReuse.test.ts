/**
 * A new version of a created class keeps the running version's function
 * objects for the members it leaves unchanged (src/mop/memberReuse.ts): a
 * call site hot on an unchanged method kept two targets after any update
 * and V8 stopped inlining it, about 3× slower for good (review advZ8).
 * Changed members, and members whose compiled context changed (the scope,
 * the superclass), are the new version's own.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Shape = { x: number; a(): number; b(): number; c(): number; readonly d: number };

const METHODS = {
  a(this: Shape) {
    return this.x + 1;
  },
  b(this: Shape) {
    return this.x + 2;
  },
  c(this: Shape) {
    return this.x + 3;
  },
};

test("property: after an update, the prototype holds the very functions of the members the update left unchanged, new ones for those it replaced; every call answers as its version says", () => {
  fc.assert(
    fc.property(
      fc.subarray(["a", "b", "c"] as const),
      fc.boolean(),
      fc.boolean(),
      (replaced, addField, rollBack) => {
        const ns = new Namespace("member-reuse");
        const S = ns.defineClass<Shape>({
          name: "S",
          fields: [{ name: "x", initializer: "1" }],
          methods: METHODS,
        });
        const o = new S();
        const proto = Object.getPrototypeOf(o) as Record<string, unknown>;
        const before = { a: proto.a, b: proto.b, c: proto.c };
        let builder = patch("p");
        if (addField) builder = builder.addField("S", "y", { default: 0 });
        if (replaced.length > 0)
          builder = builder.replaceMethods(
            "S",
            Object.fromEntries(
              replaced.map((k) => [
                k,
                new Function(`return { ${k}() { return this.x * 100; } }`)()[k],
              ]),
            ),
          );
        if (!addField && replaced.length === 0) builder = builder.addField("S", "y");
        const result = updateSync(ns, builder.build());
        for (const k of ["a", "b", "c"] as const) {
          const changed = (replaced as readonly string[]).includes(k);
          expect(proto[k] === before[k]).toBe(!changed);
          expect(o[k]()).toBe(changed ? 100 : 1 + ["a", "b", "c"].indexOf(k) + 1);
        }
        if (rollBack) {
          result.rollback();
          expect({ a: proto.a, b: proto.b, c: proto.c }).toEqual(before);
          expect([o.a(), o.b(), o.c()]).toEqual([2, 3, 4]);
        }
      },
    ),
    { seed: 20261209, numRuns: 30 },
  );
});

test("a reused method's super still reaches the superclass, and a getter left unchanged is kept too", () => {
  const ns = new Namespace("member-reuse-super");
  ns.defineClass({
    name: "Base",
    fields: [],
    methods: {
      who() {
        return "base";
      },
    },
  });
  const D = ns.defineClass<Shape & { who(): string }>({
    name: "D",
    superclass: "Base",
    fields: [{ name: "x", initializer: "2" }],
    methods: {
      who(this: { x: number }) {
        return `d over ${super.who()}`;
      },
      get d() {
        return 7;
      },
    },
  });
  const o = new D();
  const proto = Object.getPrototypeOf(o) as object;
  const who = Reflect.getOwnPropertyDescriptor(proto, "who")!.value;
  const getter = Reflect.getOwnPropertyDescriptor(proto, "d")!.get;
  updateSync(
    ns,
    patch("base")
      .replaceMethods("Base", {
        who() {
          return "base 2";
        },
      })
      .addField("D", "y", { default: 0 })
      .build(),
  );
  expect(Reflect.getOwnPropertyDescriptor(proto, "who")!.value).toBe(who);
  expect(Reflect.getOwnPropertyDescriptor(proto, "d")!.get).toBe(getter);
  expect([o.who(), o.d]).toEqual(["d over base 2", 7]);
});

test("a new superclass compiles every member afresh: super reads the new one", () => {
  const ns = new Namespace("member-reuse-relink");
  for (const [name, word] of [
    ["A", "a"],
    ["B", "b"],
  ] as const)
    ns.defineClass({
      name,
      fields: [],
      methods: { who: new Function(`return { who() { return "${word}"; } }`)().who },
    });
  const D = ns.defineClass<{ who(): string }>({
    name: "D",
    superclass: "A",
    fields: [],
    methods: {
      who() {
        return `d over ${super.who()}`;
      },
    },
  });
  const o = new D();
  const who = (Object.getPrototypeOf(o) as { who: unknown }).who;
  updateSync(ns, patch("relink").changeSuperclass("D", "B").build());
  expect((Object.getPrototypeOf(o) as { who: unknown }).who).not.toBe(who);
  expect(o.who()).toBe("d over b");
});
