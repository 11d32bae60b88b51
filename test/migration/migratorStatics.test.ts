/**
 * What a migrator and a validation see of the statics a patch adds or
 * re-initialises on a class the program wrote (docs/design.md, "What a
 * migrator may reach"). Before an eager commit, the copy's `constructor` is
 * the class the program wrote (as the commit leaves it: identity holds) and
 * the handle still runs the old version: both answer the old statics, and
 * the live class only takes the new ones at the commit. A migrator that
 * needs a new static's value closes over it (the patch names it).
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Statics = Record<string, unknown>;

function world() {
  class Item {
    static DEFAULT = 1;
    v = 0;
  }
  const ns = new Namespace("migrator-statics", { instanceFinder: "registry" });
  const Handle = ns.registerClass(Item) as unknown as Statics & (new () => { v: number });
  return { Item, ns, Handle, obj: new Handle() };
}

function seen(policy: "eager" | "lazy") {
  const { Item, ns, Handle, obj } = world();
  const reads: unknown[] = [];
  const result = updateSync(
    ns,
    patch("statics")
      .addStaticField("Item", "NEWER", { default: 7 })
      .reinitialiseStaticField("Item", "DEFAULT", { default: 2 })
      .migrate("Item", (_old, target) => {
        const ctor = target.constructor as unknown as Statics;
        reads.push([
          ctor === (Item as unknown),
          ctor.DEFAULT,
          ctor.NEWER,
          Handle.DEFAULT,
          Handle.NEWER,
        ]);
      })
      .validateInstances("sees", "Item", (instance) => {
        const ctor = instance.constructor as unknown as Statics;
        reads.push(["validation", ctor.DEFAULT, ctor.NEWER]);
        return true;
      })
      .build(),
    { policy },
  );
  if (policy === "lazy") {
    void obj.v;
    result.completeMigration();
  }
  return { reads, after: [(Item as unknown as Statics).DEFAULT, Handle.NEWER] };
}

test("before an eager commit, a migrator and a validation see the old statics through obj.constructor and the handle; after it, the new", () => {
  expect(seen("eager")).toEqual({
    reads: [
      [true, 1, undefined, 1, undefined],
      ["validation", 1, undefined],
    ],
    after: [2, 7],
  });
});

test("a lazy migration after the commit sees the new statics", () => {
  const { reads } = seen("lazy");
  expect(reads.at(-1)).toEqual([true, 2, 7, 2, 7]);
});

// Known limit (fixW3): the new statics are not reachable from a migrator
// before an eager commit without changing the live class first; a
// migrator context holding the new version is not there yet.
test.fails("a migrator before an eager commit reads the static the same patch adds through target.constructor", () => {
  const { reads } = seen("eager");
  expect(reads[0]).toEqual([true, 2, 7, 1, undefined]);
});
