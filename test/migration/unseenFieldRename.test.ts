/**
 * A rename hint from a field the source reader did not learn (rbush's
 * `data`, set by `clear()` from the constructor; release B calls it
 * `root`) is refused MM_INVALID_PATCH, as before, though the objects all
 * have it (review advZ29): it is carried as unseen state, which a rename
 * hint does not map. The message now says so and gives the migrator that
 * renames it, which this test follows: the value moves with its identity,
 * the old key is gone, and a rollback is exact.
 */
import { expect, test } from "vitest";
import { type MetamorphError, Namespace, type Policy, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

type Tree = {
  data?: { c: number[] };
  root?: { c: number[] };
  insert(n: number): Tree;
  all(): number[];
};
let worlds = 0;

const release = (key: "data" | "root"): (new () => Tree) =>
  new Function(`"use strict";
    return class Tree {
      constructor() { this.clear(); }
      clear() { this.${key} = { c: [] }; return this; }
      insert(n) { this.${key}.c.push(n); return this; }
      all() { return [...this.${key}.c]; }
    };`)() as new () => Tree;

function world() {
  const ns = new Namespace(`unseen-rename${worlds++}`);
  const T = ns.registerClass(release("data"), { name: "Tree" }) as unknown as new () => Tree;
  const trees = [new T().insert(1), new T().insert(2).insert(3)];
  return { ns, trees };
}

test("a rename hint from unseen state is refused with the migrator that renames it, and nothing changes", () => {
  const { ns, trees } = world();
  const before = deepSnapshot({ ns, objects: trees });
  let error: MetamorphError | undefined;
  try {
    updateSync(
      ns,
      patch("B")
        .replaceImplementation("Tree", release("root"), { renames: { root: "data" } })
        .build(),
    );
  } catch (e) {
    error = e as MetamorphError;
  }
  expect(error?.code).toBe("MM_INVALID_PATCH");
  expect(error?.message).toMatch(
    /Tree has no field "data" to rename to "root": .*carried as unseen state/,
  );
  expect(error?.message).toContain(
    '.migrate("Tree", (old, target) => { target.root = old.data; delete target.data; })',
  );
  expect(snapshotDifference(before, deepSnapshot({ ns, objects: trees }))).toBeUndefined();
});

test.each(["eager", "lazy", "progressive"] as const)(
  "the migrator it names renames it (%s), and a rollback is exact",
  (policy: Policy) => {
    const { ns, trees } = world();
    const held = trees.map((t) => t.data);
    const before = deepSnapshot({ ns, objects: trees });
    const result = updateSync(
      ns,
      patch("B")
        .replaceImplementation("Tree", release("root"))
        .migrate("Tree", (old, target) => {
          target.root = old.data;
          delete target.data;
        })
        .build(),
      { policy },
    );
    expect(trees.map((t) => t.insert(9).all())).toEqual([
      [1, 9],
      [2, 3, 9],
    ]);
    expect(trees.map((t) => [Object.hasOwn(t, "data"), t.root === held[trees.indexOf(t)]])).toEqual(
      [
        [false, true],
        [false, true],
      ],
    );
    result.rollback();
    for (const t of trees) t.data!.c.pop();
    expect(snapshotDifference(before, deepSnapshot({ ns, objects: trees }))).toBeUndefined();
  },
);

// Known limit: the rename hint itself could move unseen state (the
// migration plan would have to count the renamed key as an old field, in
// migrationPlan.ts, and not carry it as well). Until then it is refused.
test.fails("a rename hint from unseen state renames it like any rename", () => {
  const { ns, trees } = world();
  updateSync(
    ns,
    patch("B")
      .replaceImplementation("Tree", release("root"), { renames: { root: "data" } })
      .build(),
  );
  expect(trees.map((t) => t.all())).toEqual([[1], [2, 3]]);
});
