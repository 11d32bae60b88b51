/**
 * A write the program makes to an object after an eager update prepared it
 * (an update's event listener, a validation) survives a commit that fails
 * while preparing that object again: the migrator or getter that throws
 * there has written nothing of the object, and the undo put back its state
 * from the first preparation — the program's write lost (found by fixL).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";
import { Namespace, patch, type UpdateEvent, updateSync } from "../../src/index.js";

type P = { x: number; z: number };

test("property: a commit failing as it prepares a written object again keeps that write and every other value", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.nat(),
      fc.constantFrom("registry" as const, "heap" as const),
      (count, pick, instanceFinder) => {
        const ns = new Namespace("write-before-commit", { instanceFinder });
        const Handle = ns.defineClass<P>({
          name: "P",
          fields: [
            { name: "x", initializer: "0" },
            { name: "z", initializer: "0" },
          ],
        }) as unknown as new (init: {
          x: number;
        }) => P;
        const objects = Array.from({ length: count }, (_, i) => new Handle({ x: i }));
        const written = pick % count;
        // An accessor of its own: the object is migrated on the general
        // path, which prepares an object written since again in the commit.
        let x = written;
        Object.defineProperty(objects[written], "x", {
          get: () => x,
          set: (v: number) => {
            x = v;
          },
          enumerable: true,
          configurable: true,
        });
        let before: ReturnType<typeof deepSnapshot> | undefined;
        const onEvent = (e: UpdateEvent) => {
          if (e.phase === "validate" && e.status === "end") {
            objects[written]!.z = 1;
            before = deepSnapshot({ ns, objects });
          }
        };
        // Sees the write only when the object is prepared again, in the commit.
        const next = patch("A")
          .addField("P", "y", {
            initial: (o) => {
              if (o.z === 1) throw new Error("the migrator refuses what it sees now");
              return 10;
            },
          })
          .build();
        expect(() => updateSync(ns, next, { onEvent })).toThrow(
          expect.objectContaining({ code: "MM_COMMIT_FAILED" }),
        );
        expect(objects[written]!.z).toBe(1);
        expect(snapshotDifference(before!, deepSnapshot({ ns, objects }))).toBeUndefined();
      },
    ),
    { seed: 20261208, numRuns: 40 },
  );
});
