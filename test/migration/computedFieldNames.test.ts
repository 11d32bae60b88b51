/**
 * Field names a patch computes (`["x", 0].join("")`, names read from a
 * file, a generated patch) are strings V8 has not internalized, and a
 * delete by such a key misses V8's in-place delete of the last property:
 * the warm-up `update()` runs before its pause added and deleted the new
 * field on thousands of objects and left every one of them in dictionary
 * mode, 10–18× slower to read, and a rollback did not bring them back
 * (review advY3). Every object must stay fast and keep the hidden class a
 * fresh object has, after the update and after its rollback.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { type Patch, patch, update, updateSync } from "../../src/index.js";
import { pictures } from "../support/pictures.js";
import { hasFastProperties, haveSameMap } from "../support/v8.js";

/** A name built at run time, as a generated patch's would be. */
const computed = (...parts: string[]): string => parts.join("");

const SHAPES: Record<string, () => Patch> = {
  add: () => patch("add").addField("Picture", computed("com", "ment"), { default: "" }).build(),
  addTwo: () =>
    patch("addTwo")
      .addField("Picture", computed("x", String(0)), { default: 0 })
      .addField("Picture", computed("x", String(1)), { default: 1 })
      .build(),
  renameAdd: () =>
    patch("renameAdd")
      .renameField("Picture", computed("pa", "th"), computed("fi", "le"))
      .addField("Picture", computed("ta", "gs"), { default: 0 })
      .build(),
};

test("property: a computed field name leaves every object fast, on a fresh object's hidden class, after the update and after its rollback", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...Object.keys(SHAPES)),
      fc.constantFrom("registry" as const, "heap" as const),
      fc.boolean(),
      fc.integer({ min: 1, max: 300 }),
      async (shape, finder, sync, n) => {
        const { ns, Picture, list } = pictures(n, `computed-${shape}`, finder);
        const twin = new Picture({ path: "/t", name: "t", size: 1 });
        const p = SHAPES[shape]!();
        const result = sync ? updateSync(ns, p) : await update(ns, p);
        const fresh = new Picture({ path: "/f", name: "f", size: 2 });
        expect(list.every((o) => hasFastProperties(o) && haveSameMap(o, fresh))).toBe(true);
        result.rollback();
        expect(list.every((o) => hasFastProperties(o) && haveSameMap(o, twin))).toBe(true);
      },
    ),
    { seed: 3301, numRuns: 24 },
  );
});
