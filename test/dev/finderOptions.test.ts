/**
 * `metamorph dev`'s finder (src/dev/finderOptions.ts): the adaptive finder
 * switching to the heap query at DEV_SWITCH_TO_HEAP_AFTER constructions in
 * one job, so that a loop of temporaries pays the registry for at most that
 * many; a finder named on the command line is used as named.
 */
import { describe, expect, test } from "vitest";
import { DEV_SWITCH_TO_HEAP_AFTER, devFinderOptions } from "../../src/dev/finderOptions.js";
import { Namespace } from "../../src/index.js";

function cellsIn(ns: Namespace) {
  return ns.defineClass<{ v: number }>({
    name: "Cell",
    fields: [{ name: "v", initializer: "0" }],
    methods: {},
  });
}

describe("metamorph dev's instance finder", () => {
  test.each([undefined, "adaptive"] as const)(
    "%s: the registry until one job makes DEV_SWITCH_TO_HEAP_AFTER objects, then the heap, which finds them all",
    (choice) => {
      expect(DEV_SWITCH_TO_HEAP_AFTER).toBe(1024);
      const ns = new Namespace("dev", devFinderOptions(choice));
      const Cell = cellsIn(ns);
      const cells = Array.from({ length: DEV_SWITCH_TO_HEAP_AFTER - 1 }, (_, v) => new Cell({ v }));
      expect(ns.finder.kind).toBe("registry");
      cells.push(new Cell({ v: -1 }));
      expect(ns.finder.kind).toBe("heap");
      expect(new Set(ns.allInstances(Cell))).toEqual(new Set(cells));
    },
  );

  test.each(["registry", "heap"] as const)("%s, named, is used as named", (choice) => {
    const ns = new Namespace("dev", devFinderOptions(choice));
    const Cell = cellsIn(ns);
    Array.from({ length: DEV_SWITCH_TO_HEAP_AFTER * 2 }, (_, v) => new Cell({ v }));
    expect(ns.finder.kind).toBe(choice);
  });
});
