/**
 * src/dev/removedFields.ts on real updates (review advZ5 4): the values a
 * removal took come back, object by object, when a later update declares
 * the field again — whatever the values (`Object.is`: NaN, -0, objects by
 * identity), whatever other fields were written in between — and objects
 * made in between keep the initialiser's value. Above the cap nothing is
 * kept, and the note says so.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import type { ClassChangeSummary } from "../../src/dev/common.js";
import { giveBack, givesBack, keepRemoved } from "../../src/dev/removedFields.js";

type Tally = { count?: unknown; name: string };

const withCount = () =>
  new Function(`return class Tally { count = 0; name = "a"; }`)() as new () => Tally;
const withoutCount = () => new Function(`return class Tally { name = "a"; }`)() as new () => Tally;

function summary(added: string[], removed: string[]): ClassChangeSummary {
  return {
    className: "Tally",
    added,
    removed,
    renamed: [],
    initialisers: [],
    methodsAdded: [],
    methodsRemoved: [],
    methodsChanged: [],
  };
}

/** Removes `count`, then declares it again, as metamorph dev applies the two updates. */
function removeAndRestore(ns: Namespace, between: () => void): { kept: string[]; back: string[] } {
  const removal = [summary([], ["count"])];
  const kept = keepRemoved(ns, removal);
  updateSync(ns, patch("remove").replaceImplementation("Tally", withoutCount()).build());
  between();
  const restore = [summary(["count"], [])];
  expect(givesBack(ns, restore)).toBe(kept.length > 0 && !kept[0]!.includes("too many"));
  updateSync(ns, patch("restore").replaceImplementation("Tally", withCount()).build());
  return { kept, back: giveBack(ns, restore, () => false) };
}

test("each object gets back the value it had; objects made in between the initialiser's", () => {
  fc.assert(
    fc.property(
      fc.array(fc.anything(), { minLength: 1, maxLength: 30 }),
      fc.nat({ max: 3 }),
      (values, madeBetween) => {
        const ns = new Namespace("removed-fields", { instanceFinder: "registry" });
        const Tally = ns.registerClass(withCount(), {
          constructedOnlyThroughHandle: true,
        }) as new () => Tally;
        const objects = values.map((value) => Object.assign(new Tally(), { count: value }));
        const made: Tally[] = [];
        const { kept, back } = removeAndRestore(ns, () => {
          objects.forEach((o, i) => {
            o.name = `n${i}`;
          });
          for (let i = 0; i < madeBetween; i++) made.push(new Tally());
        });
        const n = values.length;
        expect(kept).toEqual([
          `Tally.count: removed, with its values on ${n} object${n === 1 ? "" : "s"}; they are kept while the program runs, and come back if a later save declares count in Tally again`,
        ]);
        expect(back).toHaveLength(1);
        objects.forEach((o, i) => {
          expect(Object.is(o.count, values[i])).toBe(true);
          expect(o.name).toBe(`n${i}`);
        });
        for (const m of made) expect(m.count).toBe(0);
      },
    ),
    { seed: 2026, numRuns: 60 },
  );
});

test("above 50,000 objects the values are not kept, and the note says so", () => {
  const ns = new Namespace("removed-fields-cap", { instanceFinder: "registry" });
  const Tally = ns.registerClass(withCount(), {
    constructedOnlyThroughHandle: true,
  }) as new () => Tally;
  const objects = Array.from({ length: 50_001 }, () => Object.assign(new Tally(), { count: 9 }));
  const { kept, back } = removeAndRestore(ns, () => {});
  expect(kept).toEqual([
    "Tally.count: removed, with its values on 50001 objects; too many to keep (more than 50000): a later save that declares count again starts it from its initialiser",
  ]);
  expect(back).toEqual([]);
  expect(objects[0]!.count).toBe(0);
});
