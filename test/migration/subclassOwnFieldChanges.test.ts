/**
 * A patch that changes a superclass's fields and, in the same patch, removes
 * or renames a field of a subclass's own: the subclass's field was never a
 * superclass's, so nothing is lost behind the patch's back. It was refused
 * as a field "declared again over a superclass's" (review advZ25), so a
 * realistic hierarchy refactoring could only go as two patches.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Shape = { name?: string; label?: string; z?: number; r?: number; radius?: number };

test("changing a superclass's fields and a subclass's own field in one patch commits, each object keeping what the patch keeps", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("rename", "add", "none"),
      fc.constantFrom("remove", "rename"),
      fc.integer({ min: -5, max: 50 }),
      (onShape, onCircle, r) => {
        const ns = new Namespace("subclass-own", { instanceFinder: "registry" });
        const S = ns.registerClass(
          class Shape {
            name = "s";
          },
        );
        const C = ns.registerClass(
          class Circle extends S {
            r = 1;
          },
        );
        const c = new C() as Shape;
        c.r = r;
        let p = patch("both");
        if (onShape === "rename") p = p.renameField("Shape", "name", "label");
        if (onShape === "add") p = p.addField("Shape", "z", { default: 7 });
        p =
          onCircle === "remove"
            ? p.removeField("Circle", "r")
            : p.renameField("Circle", "r", "radius");
        const result = updateSync(ns, p.build());
        expect(result.outcome).toBe("committed");
        expect(c[onShape === "rename" ? "label" : "name"]).toBe("s");
        if (onShape === "add") expect(c.z).toBe(7);
        expect("r" in c).toBe(false);
        if (onCircle === "rename") expect(c.radius).toBe(r);
      },
    ),
    { seed: 2512, numRuns: 24 },
  );
});
