/**
 * A subclass the program wrote (`class Sub extends Base`, both registered)
 * after a patch of Base that changes no field of Base's own: what the
 * program observes of the class chain — `Object.getPrototypeOf(Sub)`,
 * `Sub.__proto__`, `super.s()` in a static method, inherited statics,
 * `Sub.name` — is the class it wrote, with Base's new statics; a rollback
 * gives the old ones back. Libraries walk class chains this way (inherited
 * static metadata); Sub pointed at a version metamorph derived for the
 * patch, a function no code holds.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import type { Patch } from "../../src/index.js";

function classes() {
  class Base {
    static count = 5;
    static s(): string {
      return "old";
    }
    a = 1;
    m(): string {
      return "m-old";
    }
  }
  class Sub extends Base {
    static viaSuper(): string {
      // biome-ignore lint/complexity/noThisInStatic: what a static `super` call reaches is under test
      return super.s();
    }
  }
  return { Base, Sub };
}

type Op = "replaceStatic" | "addStaticData" | "replaceMethod" | "none";
const OPS: readonly Op[] = ["replaceStatic", "addStaticData", "replaceMethod", "none"];

function patchOf(op: Op): Patch {
  const p = patch(`base-${op}`);
  switch (op) {
    case "replaceStatic":
      return p
        .replaceMethod("Base", {
          key: "s",
          kind: "method",
          static: true,
          source: "s() { return 'new'; }",
        })
        .build();
    case "addStaticData":
      return p.addStaticField("Base", "bonus", { default: 3 }).build();
    case "replaceMethod":
      return p
        .replaceMethod("Base", {
          key: "m",
          kind: "method",
          static: false,
          source: "m() { return 'm-new'; }",
        })
        .build();
    case "none":
      return p
        .addMethods("Base", {
          extra() {
            return 1;
          },
        })
        .build();
  }
}

type Statics = Record<string, unknown>;

/** What the program observes of Sub's class chain, and of one object of it. */
function observed(Base: Function, Sub: Function, obj: { m(): string; a: number }) {
  const sub = Sub as unknown as Statics & { viaSuper(): string };
  return {
    extendsBase: Object.getPrototypeOf(Sub) === Base,
    // biome-ignore lint/suspicious/noProto: libraries still read it
    proto: (Sub as unknown as { __proto__: unknown }).__proto__ === Base,
    viaSuper: sub.viaSuper(),
    inherited: [sub.count, sub.bonus ?? "absent", (sub.s as () => string)()],
    name: Sub.name,
    object: [obj.m(), obj.a, obj instanceof Base, obj.constructor === Sub],
  };
}

const before = {
  extendsBase: true,
  proto: true,
  viaSuper: "old",
  inherited: [5, "absent", "old"],
  name: "Sub",
  object: ["m-old", 1, true, true],
};

const after: Record<Op, typeof before> = {
  replaceStatic: { ...before, viaSuper: "new", inherited: [5, "absent", "new"] },
  addStaticData: { ...before, inherited: [5, 3, "old"] },
  replaceMethod: { ...before, object: ["m-new", 1, true, true] },
  none: before,
};

test("property: after a patch of the superclass that changes no field, Sub's class chain is the classes the program wrote, with the new statics; a rollback gives back the old (seed 23)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...OPS),
      fc.constantFrom("eager", "lazy" as const),
      fc.boolean(),
      (op, policy, rollBack) => {
        const { Base, Sub } = classes();
        const ns = new Namespace("patched-base-sub", { instanceFinder: "registry" });
        ns.registerClass(Base);
        const SubHandle = ns.registerClass(Sub);
        const old = new SubHandle();
        expect(observed(Base, Sub, old)).toEqual(before);
        const result = updateSync(ns, patchOf(op), { policy });
        if (policy === "lazy") result.completeMigration();
        expect(observed(Base, Sub, old)).toEqual(after[op]);
        expect(observed(Base, Sub, new SubHandle())).toEqual(after[op]);
        expect(observed(Base, Sub, new Sub())).toEqual(after[op]);
        if (!rollBack) return;
        result.rollback();
        expect(observed(Base, Sub, old)).toEqual(before);
        expect(observed(Base, Sub, new SubHandle())).toEqual(before);
      },
    ),
    { seed: 23, numRuns: 40 },
  );
}, 120_000);

// Known limit: a patch that changes Base's own fields has Base's derived
// version build them, and `super()` in Sub runs whatever Sub's
// [[Prototype]] is: linked to the class the program wrote, Sub's objects
// would miss the new field. Its statics are still the new ones.
test.fails("after a patch adding a field to the superclass, Object.getPrototypeOf(Sub) is still the class the program wrote", () => {
  const { Base, Sub } = classes();
  const ns = new Namespace("patched-base-sub-field", { instanceFinder: "registry" });
  ns.registerClass(Base);
  const SubHandle = ns.registerClass(Sub);
  updateSync(ns, patch("b").addField("Base", "b", { default: 2 }).build());
  expect((new SubHandle() as unknown as Statics).b).toBe(2);
  expect(Object.getPrototypeOf(Sub)).toBe(Base);
});
