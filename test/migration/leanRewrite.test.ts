/**
 * An eager update whose plan carries every old field (add, rename, reorder)
 * and whose old values nothing can need after the rewrite keeps none
 * (compiledLean.ts): a revert and a rollback read them back from the
 * object. It must end exactly as the rewrite that keeps them: the same
 * objects after the commit, after a failing commit, and after a rollback
 * following the program's writes. One difference, by design: a field the
 * program deleted since the commit comes back with the old version's
 * default, as on an object made since the commit (its value is no longer
 * anywhere), where the rewrite that keeps old values restores that value.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Patch, UpdateOptions } from "../../src/index.js";
import { patch, updateSync } from "../../src/index.js";
import { pictures, type Rec } from "../support/pictures.js";

const SHAPES: readonly (() => Patch)[] = [
  () => patch("add").addField("Picture", "comment", { default: "" }).build(),
  () =>
    patch("rename")
      .renameField("Picture", "path", "basepath")
      .addField("Picture", "comment", { defaultSource: "[]" })
      .build(),
  () => patch("reorder").reorderFields("Picture", ["size", "path", "name"]).build(),
  () =>
    patch("renameAll")
      .renameField("Picture", "size", "bytes")
      .renameField("Picture", "name", "title")
      .build(),
];

/** The state a test compares: every own key, in order, with its value (arrays by content). */
const state = (list: readonly Rec[]) =>
  list.map((o) => Reflect.ownKeys(o).map((k) => [String(k), JSON.stringify(o[k as string])]));

/** What the program does between the commit and the rollback. */
type Act =
  | { readonly kind: "write"; readonly at: number; readonly value: number }
  | { readonly kind: "delete"; readonly at: number }
  | { readonly kind: "add"; readonly at: number };

function act(list: Rec[], a: Act): void {
  const o = list[a.at % list.length]!;
  const keys = Object.keys(o);
  const k = keys[a.at % keys.length]!;
  if (a.kind === "write") o[k] = a.value;
  else if (a.kind === "delete") delete o[k];
  else o.extra = a.at;
}

const ACT: fc.Arbitrary<Act> = fc.oneof(
  fc.record({ kind: fc.constant("write" as const), at: fc.nat(50), value: fc.integer() }),
  fc.record({ kind: fc.constant("add" as const), at: fc.nat(50) }),
);

/** Runs one update with `options` on a fresh world; the states after commit and after rollback. */
function run(shape: number, n: number, acts: readonly Act[], options: UpdateOptions) {
  const { ns, list } = pictures(n, "lean", "registry");
  const result = updateSync(ns, SHAPES[shape]!(), options);
  const committed = state(list);
  for (const a of acts) act(list, a);
  result.rollback();
  return { committed, rolledBack: state(list) };
}

describe("the rewrite that keeps no old values", () => {
  test("ends exactly as the one that keeps them: after the commit and after a rollback", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: SHAPES.length - 1 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(ACT, { maxLength: 6 }),
        (shape, n, acts) => {
          // A commit-step callback makes the update keep old values.
          const keeping = run(shape, n, acts, { onCommitStep: () => {} });
          const lean = run(shape, n, acts, {});
          expect(lean).toEqual(keeping);
        },
      ),
      {
        seed: Number(process.env.FUZZ_SEED ?? 2027),
        numRuns: Number(process.env.FUZZ_RUNS ?? 150),
      },
    );
  });

  test("a field deleted since the commit comes back with the old version's default", () => {
    const rolledBack = (options: UpdateOptions) => {
      const { ns, list } = pictures(2, "lean", "registry");
      const result = updateSync(ns, SHAPES[0]!(), options);
      delete list[1]!.size;
      result.rollback();
      return state(list)[1];
    };
    expect(rolledBack({ onCommitStep: () => {} })).toEqual([
      ["path", '"/p1"'],
      ["name", '"n1"'],
      ["size", "1"],
    ]);
    expect(rolledBack({})).toEqual([
      ["path", '"/p1"'],
      ["name", '"n1"'],
      ["size", "0"],
    ]);
  });

  test("a commit failing part-way puts every object back, the half-rewritten one included", () => {
    // The field whose deletion throws, after the rewrite has deleted the ones after it.
    const stuck = ["", "path", "path", "name"];
    SHAPES.forEach((make, shape) => {
      const { ns, list } = pictures(6, "lean", "registry");
      const before = state(list);
      const onEvent = (e: { phase: string; status: string }) => {
        if (e.phase !== "commit" || e.status !== "start") return;
        // After the scan: the rewrite of #3 throws part-way (or, adding only, at once).
        if (stuck[shape]) {
          Object.defineProperty(list[3], stuck[shape]!, { configurable: false });
        } else Object.seal(list[3]);
      };
      expect(() => updateSync(ns, make(), { onEvent })).toThrow(/was undone/);
      expect(state(list)).toEqual(before);
    });
  });
});
