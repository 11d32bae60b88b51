/**
 * The update line of `metamorph dev` (review of editing sessions, M1): a
 * save that only added a function said "no class or function changed", and
 * the fix of a refused save that added one said "(back to the running
 * version)", which is true only when the saved version is the running one.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Reporter } from "../../src/dev/reporter.js";

test("property: new declarations are named; 'back to the running version' only when it is; seed 20261207", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.constantFrom("speedOf", "LIMIT", "table"), { maxLength: 2 }),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      (declared, fixed, back, functionChanged) => {
        const lines: string[] = [];
        new Reporter("/p", (l) => lines.push(l), 0).updated({
          file: "/p/vec.ts",
          summaries: [],
          functions: functionChanged ? ["len"] : [],
          declared: declared.map((d) => (d === "speedOf" ? `function ${d}` : d)),
          committed: false,
          instancesMigrated: 0,
          pauseMs: 0,
          fixed,
          back,
          warnings: [],
          notes: [],
        });
        const line = lines[0]!;
        for (const d of declared) {
          expect(line).toContain(d === "speedOf" ? "function speedOf (new)" : `${d} (new)`);
        }
        const nothing = declared.length === 0 && !functionChanged;
        expect(line.includes("no class or function changed")).toBe(nothing);
        expect(line.includes("back to the running version")).toBe(nothing && fixed && back);
        expect(line.endsWith("| fixed")).toBe(fixed && !(nothing && back));
      },
    ),
    { seed: 20261207, numRuns: 100 },
  );
});
