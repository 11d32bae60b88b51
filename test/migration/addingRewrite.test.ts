/**
 * An eager update whose rewrite only adds fields after the old ones (no
 * field deleted, none written in place) reads nothing as it rewrites, and,
 * when no code can run between its scan and its rewrite, leaves the objects
 * that cannot be extended to the rewrite to find (compiledLean.ts
 * `scanAddsOnly`): the first add throws on such an object before anything
 * of it changed. The update must still be refused as the scan refuses it
 * (UnswappableObjectError naming the object and what it is), with every
 * object, the half-rewritten one included, exactly as before: keys, values
 * and hidden classes.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Patch, UpdateOptions } from "../../src/index.js";
import { CommitError, patch, UnswappableObjectError, update, updateSync } from "../../src/index.js";
import { pictures, type Rec } from "../support/pictures.js";
import { hasFastProperties, haveSameMap } from "../support/v8.js";

/** Adding rewrites: one field, two fields (the second add can throw after the first). */
const ADDING: readonly (() => Patch)[] = [
  () => patch("add").addField("Picture", "comment", { default: "" }).build(),
  () =>
    patch("addTwo")
      .addField("Picture", "comment", { default: "" })
      .addField("Picture", "tags", { defaultSource: "[]" })
      .build(),
];

type How = "freeze" | "seal" | "preventExtensions";
const lock = (o: object, how: How): void => {
  if (how === "freeze") Object.freeze(o);
  else if (how === "seal") Object.seal(o);
  else Object.preventExtensions(o);
};

const state = (list: readonly Rec[]) =>
  list.map((o) => Reflect.ownKeys(o).map((k) => [String(k), JSON.stringify(o[k as string])]));

describe("an adding rewrite that finds the objects that cannot be extended itself", () => {
  test("property: refused as the scan refuses, every object exactly as before (keys, values, hidden classes)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: ADDING.length - 1 }),
        fc.integer({ min: 1, max: 40 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            locked: fc.integer({ min: 0, max: n - 1 }),
            how: fc.constantFrom<How>("freeze", "seal", "preventExtensions"),
          }),
        ),
        (shape, { n, locked, how }) => {
          const { ns, Picture, list } = pictures(n, "adding", "registry");
          lock(list[locked]!, how);
          const before = state(list);
          const version = ns.version;
          let error: unknown;
          try {
            updateSync(ns, ADDING[shape]!());
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(UnswappableObjectError);
          expect((error as UnswappableObjectError).code).toBe("MM_UNSWAPPABLE_OBJECT");
          const word = how === "freeze" ? "frozen" : how === "seal" ? "sealed" : "not extensible";
          expect((error as Error).message).toContain(`instance #${locked} is ${word}`);
          expect(state(list)).toEqual(before);
          expect(ns.version).toBe(version);
          // Twins built the same way after the refusal: the hidden classes to compare with.
          const twins = list.map((_, i) => new Picture({ path: `/p${i}`, name: `n${i}`, size: i }));
          lock(twins[locked]!, how);
          expect(list.filter((o, i) => !haveSameMap(o, twins[i]!))).toEqual([]);
        },
      ),
      { seed: Number(process.env.FUZZ_SEED ?? 2027), numRuns: Number(process.env.FUZZ_RUNS ?? 60) },
    );
  });

  test("with an event listener the scan still looks for them itself (code runs before the rewrite)", () => {
    const { ns, list } = pictures(4, "adding-listened", "registry");
    Object.seal(list[1]);
    const events: string[] = [];
    const options: UpdateOptions = {
      onEvent: (e) => {
        if (e.status === "failed") events.push(e.phase);
      },
    };
    expect(() => updateSync(ns, ADDING[0]!(), options)).toThrow(UnswappableObjectError);
    expect(events).toEqual(["migrate"]);
    // Sealed by the listener after the scan: the rewrite throws, the commit is undone.
    const { ns: ns2, list: list2 } = pictures(4, "adding-listened-2", "registry");
    const before = state(list2);
    const late: UpdateOptions = {
      onEvent: (e) => {
        if (e.phase === "commit" && e.status === "start") Object.seal(list2[2]!);
      },
    };
    expect(() => updateSync(ns2, ADDING[1]!(), late)).toThrow(CommitError);
    expect(state(list2)).toEqual(before);
  });
});

/**
 * `update()` runs the adding rewrite over a sample of the instances before
 * its pause and undoes it at once (phases/ahead.ts `warmUpAdding`), so that
 * V8 has optimised it for their hidden classes: every object must be back
 * exactly as it was, on the hidden class it had, in fast mode.
 */
describe.each(["registry", "heap"] as const)(
  "the adding rewrite warmed up before the pause, %s finder",
  (finder) => {
    const twinsOf = (Picture: PictureClass, n: number) =>
      Array.from({ length: n }, (_, i) => new Picture({ path: `/p${i}`, name: `n${i}`, size: i }));

    test("refused in the pause (an object frozen first): the warmed objects are exactly as before", async () => {
      const { ns, Picture, list } = pictures(300, "warm-refused", finder);
      Object.freeze(list[0]);
      const before = state(list);
      await expect(update(ns, ADDING[0]!())).rejects.toThrow(UnswappableObjectError);
      expect(state(list)).toEqual(before);
      const twins = twinsOf(Picture, 300);
      Object.freeze(twins[0]);
      expect(list.filter((o, i) => !haveSameMap(o, twins[i]!))).toEqual([]);
      expect(list.filter((o) => !hasFastProperties(o))).toEqual([]);
    });

    test("committed, then rolled back: every object on the hidden class it had", async () => {
      const { ns, Picture, list } = pictures(300, "warm-committed", finder);
      const before = state(list);
      const result = await update(ns, ADDING[1]!());
      expect(result.instancesMigrated).toBe(300);
      for (const o of list)
        expect(Object.keys(o)).toEqual(["path", "name", "size", "comment", "tags"]);
      result.rollback();
      expect(state(list)).toEqual(before);
      const twins = twinsOf(Picture, 300);
      expect(list.filter((o, i) => !haveSameMap(o, twins[i]!))).toEqual([]);
      expect(list.filter((o) => !hasFastProperties(o))).toEqual([]);
    });

    test("objects the warm-up leaves alone (an own property under an added name, a setter on the class) are migrated as before", async () => {
      const { ns, list } = pictures(40, "warm-skipped", finder);
      // An own, non-enumerable property named like the added field: the general path carries it.
      Object.defineProperty(list[5], "comment", {
        value: "own",
        enumerable: false,
        configurable: true,
        writable: true,
      });
      const result = await update(ns, ADDING[0]!());
      expect(result.instancesMigrated).toBe(40);
      expect(list[5]!.comment).toBe("own");
      expect(Object.keys(list[6]!)).toEqual(["path", "name", "size", "comment"]);
    });
  },
);

type PictureClass = ReturnType<typeof pictures>["Picture"];
