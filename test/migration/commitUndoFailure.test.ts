/**
 * The undo of a failed eager commit reverts every object it rewrote, last
 * first, then puts the old classes back. A revert that threw stopped it
 * there: the namespace stayed on the new version, the objects before that
 * one on the new layout, and the error said the commit "was undone"
 * (review advX4, met through a typed array's elements). Now every other
 * object and the classes are put back, and the error names what could not.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { CommitError, Namespace, patch, updateSync } from "../../src/index.js";

/** A class of its own per run: a class is managed by one namespace. */
const pointClass = () =>
  class Point {
    x = 0;
    y = 0;
    label(): string {
      return `${this.x},${this.y}`;
    }
  };

test("property: an object whose revert throws is named; every other object and the classes are back", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 12 }).chain((n) =>
        fc.record({
          n: fc.constant(n),
          failAt: fc.integer({ min: 1, max: n - 1 }),
          frozen: fc.integer({ min: 0, max: n - 1 }),
        }),
      ),
      ({ n, failAt, frozen }) => {
        const locked = Math.min(frozen, failAt - 1);
        const ns = new Namespace("undo", { instanceFinder: "registry" });
        const P = ns.registerClass(pointClass(), { constructedOnlyThroughHandle: true });
        const objects = Array.from({ length: n }, (_, i) => Object.assign(new P(), { x: i }));
        let error: unknown;
        try {
          updateSync(
            ns,
            patch("z")
              .addField("Point", "z", { default: 1 })
              .replaceMethods("Point", {
                label(this: { z: number }) {
                  return `z${this.z}`;
                },
              })
              .build(),
            {
              onCommitStep: (step) => {
                if (step !== failAt) return;
                // Already rewritten: its revert (deleting z) is refused.
                Object.freeze(objects[locked]);
                throw new Error("injected");
              },
            },
          );
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(CommitError);
        const details = (error as CommitError).details as { undoFailures?: unknown };
        expect(details.undoFailures).toEqual([
          { className: "Point", index: locked, object: objects[locked] },
        ]);
        expect((error as Error).message).toContain("could not be put back");
        expect(ns.version).toBe(1);
        objects.forEach((o, i) => {
          if (i === locked) return;
          expect(Object.keys(o)).toEqual(["x", "y"]);
          expect(o.label()).toBe(`${i},0`);
        });
      },
    ),
    { seed: 606, numRuns: 40 },
  );
});
