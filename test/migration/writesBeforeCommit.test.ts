/**
 * A write the program's own code makes inside an eager update's block after
 * the instances were scanned and before they are rewritten (an `onEvent`
 * listener is such code) must be neither lost by the rewrite nor undone by
 * a rollback: the values a rollback restores are those the commit found,
 * not those the scan saved.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Patch, UpdateEvent } from "../../src/index.js";
import { CommitError, patch, updateSync } from "../../src/index.js";
import { pictures } from "../support/pictures.js";

/** Patches with and without user code, fields kept in place, renamed and removed. */
const SHAPES: readonly (() => Patch)[] = [
  () => patch("add").addField("Picture", "comment", { default: "" }).build(),
  () =>
    patch("rename")
      .renameField("Picture", "path", "basepath")
      .addField("Picture", "comment", { default: "" })
      .build(),
  () =>
    patch("reshape")
      .removeField("Picture", "path")
      .renameField("Picture", "name", "title")
      .addField("Picture", "twice", { initial: (old) => (old.size as number) * 2 })
      .build(),
];

const FIELDS = ["path", "name", "size"] as const;

/** Whether `event` is the start of the commit: scanned and computed, nothing rewritten yet. */
const commitStarts = (event: UpdateEvent) => event.phase === "commit" && event.status === "start";

describe("writes inside the update's block before its commit", () => {
  test("a failed commit keeps them: each object is as the commit found it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: SHAPES.length - 1 }),
        fc.integer({ min: 2, max: 12 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            written: fc.integer({ min: 0, max: n - 1 }),
            field: fc.constantFrom(...FIELDS),
            frozen: fc.integer({ min: 0, max: n - 1 }),
            how: fc.constantFrom("freeze", "seal") as fc.Arbitrary<"freeze" | "seal">,
            // An object with an own property of its own takes the general path.
            general: fc.integer({ min: -1, max: n - 1 }),
          }),
        ),
        (shape, { n, written, field, frozen, how, general }) => {
          const { ns, list } = pictures(n, "writes", "registry");
          if (general >= 0) list[general]!.extra = "own";
          const onEvent = (event: UpdateEvent) => {
            if (!commitStarts(event)) return;
            list[written]![field] = "written in the block";
            // Made unextensible after the scan: the rewrite throws on it.
            if (how === "freeze") Object.freeze(list[frozen]);
            else Object.seal(list[frozen]);
          };
          const expected = list.map((o) => Object.entries(o));
          expected[written] = expected[written]!.map(([k, v]) =>
            k === field ? [k, "written in the block"] : [k, v],
          );
          expect(() => updateSync(ns, SHAPES[shape]!(), { onEvent })).toThrow(CommitError);
          expect(list.map((o) => Object.entries(o))).toEqual(expected);
        },
      ),
      {
        seed: Number(process.env.FUZZ_SEED ?? 2026),
        numRuns: Number(process.env.FUZZ_RUNS ?? 120),
      },
    );
  });

  test("an exact rollback (an afterCommit hook that throws) restores them, not the scanned values", () => {
    const { ns, list } = pictures(4, "writes", "registry");
    const onEvent = (event: UpdateEvent) => {
      if (commitStarts(event)) list[2]!.size = 99;
    };
    const failing = patch("rename")
      .renameField("Picture", "path", "basepath")
      .addField("Picture", "comment", { default: "" })
      .afterCommit("fails", () => {
        throw new Error("hook fails");
      })
      .build();
    expect(() => updateSync(ns, failing, { onEvent })).toThrow(/hook fails/);
    expect(Object.entries(list[2]!)).toEqual([
      ["path", "/p2"],
      ["name", "n2"],
      ["size", 99],
    ]);
  });

  test("a committed update carries them, and a rollback keeps them", () => {
    for (const make of SHAPES) {
      const { ns, list } = pictures(3, "writes", "registry");
      list[2]!.extra = "own"; // the general path
      const onEvent = (event: UpdateEvent) => {
        if (!commitStarts(event)) return;
        list[1]!.name = "renamed in the block";
        list[2]!.name = "renamed in the block";
      };
      const result = updateSync(ns, make(), { onEvent });
      for (const o of [list[1]!, list[2]!])
        expect(Object.values(o)).toContain("renamed in the block");
      result.rollback();
      expect(list[1]!.name).toBe("renamed in the block");
      expect(list[2]!.name).toBe("renamed in the block");
    }
  });
});
