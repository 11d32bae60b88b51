/** A patch prints as its name and summary: `${patch}`, String(patch), console.log (util.inspect). */
import { inspect } from "node:util";
import { expect, test } from "vitest";
import { patch } from "../../src/index.js";

test("a patch prints its name and one line per operation, wherever it is printed", () => {
  const p = patch("v2")
    .addField("Counter", "step", { default: 1 })
    .renameField("Counter", "n", "count")
    .build();
  const printed = `patch v2:\n${p.summary()}`;
  expect(p.summary().split("\n")).toHaveLength(2);
  expect(`${p}`).toBe(printed);
  expect(String(p)).toBe(printed);
  expect(inspect(p)).toBe(printed);
  expect(`${patch("nothing").build()}`).toBe("patch nothing (empty)");
});
