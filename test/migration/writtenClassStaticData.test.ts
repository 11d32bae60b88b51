/**
 * Static data a patch adds, renames or re-initialises on a class registered
 * without `constructedOnlyThroughHandle`: the class the program wrote is
 * its objects' `constructor` and its own code's name for itself, so the
 * datum is there too, one value through the class, the handle and
 * `obj.constructor` (a patched static method reads it through `this`
 * however it is called). A rollback gives the class back its own statics,
 * but a value the program wrote since where a rollback carries it
 * (namespace/staticValues.ts); a frozen class refuses before anything
 * changes (MM_UNSWAPPABLE_OBJECT, rule non-configurable-static).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import type { Patch } from "../../src/index.js";

function classes() {
  class Item {
    static count = 5;
    static label = "a";
    byName(key: string): unknown {
      return (Item as unknown as Record<string, unknown>)[key];
    }
  }
  return { Item };
}

type Op = "add" | "rename" | "reinit";
const OPS: readonly Op[] = ["add", "rename", "reinit"];
/** The static each op leaves to read, and its value right after the update. */
const KEY: Record<Op, string> = { add: "bonus", rename: "total", reinit: "count" };
const VALUE: Record<Op, number> = { add: 3, rename: 5, reinit: 9 };

function patchOf(op: Op): Patch {
  const p = patch(`data-${op}`);
  const withOp =
    op === "add"
      ? p.addStaticField("Item", "bonus", { default: 3 })
      : op === "rename"
        ? p.renameStaticField("Item", "count", "total")
        : p.reinitialiseStaticField("Item", "count", { default: 9 });
  return withOp
    .addMethod("Item", {
      key: "t",
      kind: "method",
      static: true,
      source: `t() { return this.${KEY[op]}; }`,
    })
    .build();
}

type Statics = Record<string, unknown>;
const ownStatics = (c: Function) =>
  Reflect.ownKeys(c).map((k) => [k, Reflect.getOwnPropertyDescriptor(c, k)]);

/** The datum through the class, the handle, obj.constructor, the class's own code, and `t()` called each way. */
function readings(
  Item: Function,
  Handle: Function,
  obj: { byName(k: string): unknown },
  key: string,
) {
  const through = [Item, Handle, obj.constructor] as unknown as Statics[];
  return [
    ...through.map((c) => c[key]),
    obj.byName(key),
    ...through.map((c) => (c.t as () => unknown).call(c)),
  ];
}

test("property: a static datum the patch adds, renames or re-initialises is one value through the class, the handle and obj.constructor; a rollback gives the class back its statics (seed 17)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...OPS),
      fc.constantFrom("eager", "lazy" as const),
      fc.constantFrom("none", "class", "handle", "constructor" as const),
      fc.boolean(),
      (op, policy, writeVia, rollBack) => {
        const { Item } = classes();
        const before = ownStatics(Item);
        const ns = new Namespace("written-static-data", { instanceFinder: "registry" });
        const Handle = ns.registerClass(Item);
        const obj = new Handle();
        const result = updateSync(ns, patchOf(op), { policy });
        if (policy === "lazy") result.completeMigration();
        const key = KEY[op];
        expect(readings(Item, Handle, obj, key)).toEqual(Array(7).fill(VALUE[op]));
        if (writeVia !== "none") {
          const via = { class: Item, handle: Handle, constructor: obj.constructor }[writeVia];
          (via as unknown as Statics)[key] = 42;
          expect(readings(Item, Handle, obj, key)).toEqual(Array(7).fill(42));
        }
        if (!rollBack) return;
        result.rollback();
        // A value written since goes back to the old static it came from (a rename's, a re-initialised one).
        const carried = writeVia !== "none" && op !== "add";
        const expected = carried
          ? before.map(([k, d]) => [
              k,
              k === "count" ? { ...(d as PropertyDescriptor), value: 42 } : d,
            ])
          : before;
        expect(ownStatics(Item)).toEqual(expected);
        expect([(Handle as unknown as Statics).count, (Handle as unknown as Statics)[key]]).toEqual(
          op === "reinit" ? [carried ? 42 : 5, carried ? 42 : 5] : [carried ? 42 : 5, undefined],
        );
      },
    ),
    { seed: 17, numRuns: 60 },
  );
}, 120_000);

test("two patches adding static data: each is one value, and each rollback gives back the class as the one before left it", () => {
  const { Item } = classes();
  const ns = new Namespace("written-static-data-twice", { instanceFinder: "registry" });
  const Handle = ns.registerClass(Item);
  const obj = new Handle();
  const before = ownStatics(Item);
  const first = updateSync(ns, patchOf("add"));
  const afterFirst = ownStatics(Item);
  const second = updateSync(
    ns,
    patch("more").addStaticField("Item", "extra", { default: 8 }).build(),
  );
  (Handle as unknown as Statics).bonus = 4;
  expect(readings(Item, Handle, obj, "bonus")).toEqual(Array(7).fill(4));
  expect([
    (Item as unknown as Statics).extra,
    (obj.constructor as unknown as Statics).extra,
  ]).toEqual([8, 8]);
  second.rollback();
  expect(ownStatics(Item)).toEqual(
    afterFirst.map(([k, d]) => [k, k === "bonus" ? { ...(d as PropertyDescriptor), value: 4 } : d]),
  );
  expect(readings(Item, Handle, obj, "bonus")).toEqual(Array(7).fill(4));
  first.rollback();
  expect(ownStatics(Item)).toEqual(before);
});

test.each(OPS)(
  "a frozen class refuses a patch that %s a static datum when it is built, and nothing changes",
  (op) => {
    const { Item } = classes();
    const ns = new Namespace("written-static-data-frozen", { instanceFinder: "registry" });
    const Handle = ns.registerClass(Item);
    Object.freeze(Item);
    const before = [ownStatics(Item), ownStatics(Handle)];
    let caught: unknown;
    try {
      updateSync(ns, patchOf(op));
    } catch (error) {
      caught = error;
    }
    const { code, details } = caught as { code?: string; details?: Record<string, unknown> };
    expect({ code, rule: details?.rule }).toEqual({
      code: "MM_UNSWAPPABLE_OBJECT",
      rule: "non-configurable-static",
    });
    expect([ownStatics(Item), ownStatics(Handle)]).toEqual(before);
  },
);
